// A realistic hall for the dashboard's browser tests: named windows and staff with photos (drawn
// by Chromium, uploaded through the API), pads that have said hello, a month and a half of ratings
// and unrated transactions sent through the real broker, and accounts for each role.
import { randomUUID } from 'node:crypto'
import type { Browser } from 'playwright-core'
import { topics } from '../../protocol/index.ts'
import { sampleBirth, sampleEvent, sampleRating, sampleTransaction } from '../fixtures/messages.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { waitFor, type TestServer } from '../helpers/server.ts'

export const HALL = { id: 'hall-1', name: '市民服务中心' }
export const PEOPLE = [
  { staffNo: 'A1001', name: '王晓梅', title: '综合受理岗', stars: 5, window: '1号窗口', colour: '#2f5f9e' },
  { staffNo: 'A1002', name: '李建国', title: '不动产登记', stars: 4, window: '2号窗口', colour: '#3b7a57' },
  { staffNo: 'A1003', name: '张丽娟', title: '社保医保', stars: 5, window: '3号窗口', colour: '#8e3b5e' },
  { staffNo: 'A1004', name: '陈志强', title: '公安户政', stars: 3, window: '4号窗口', colour: '#7a5a2f' },
  { staffNo: 'A1005', name: '刘芳', title: '企业开办', stars: 4, window: '5号窗口', colour: '#4b3f8f' },
  { staffNo: 'A1006', name: '赵敏', title: '税务综合', stars: 4, window: '6号窗口', colour: '#2f7a7a' },
]
export const SERVICES = [
  { serviceCode: 'HJ01', serviceName: '户籍迁移' },
  { serviceCode: 'SB02', serviceName: '社保卡补办' },
  { serviceCode: 'BDC03', serviceName: '不动产登记' },
  { serviceCode: 'QY04', serviceName: '企业设立登记' },
]
export const USERS = {
  manager: {
    username: 'director',
    password: 'director-pass-1',
    role: 'manager',
    hallIds: [HALL.id],
    displayName: '周主任',
  },
  viewer: {
    username: 'lobby',
    password: 'lobby-pass-1',
    role: 'viewer',
    hallIds: [HALL.id],
    displayName: '大厅大屏',
  },
} as const

export interface SeededHall {
  windows: { id: string; name: string; staffNo: string }[]
  pads: { id: string; secret: string; windowId: string; staffNo: string }[]
}

/** A portrait drawn as SVG and photographed by Chromium: a real PNG to upload. */
async function portraits(browser: Browser): Promise<Buffer[]> {
  const page = await browser.newPage({ viewport: { width: 200, height: 250 } })
  const out: Buffer[] = []
  for (const p of PEOPLE) {
    await page.setContent(
      `<body style="margin:0"><svg xmlns="http://www.w3.org/2000/svg" width="200" height="250" viewBox="0 0 250 312">` +
        `<rect width="250" height="312" fill="${p.colour}"/><path d="M20 312 Q26 222 125 214 Q224 222 230 312 Z" fill="#1d2d44"/>` +
        `<path d="M104 214 L125 254 L146 214 Z" fill="#fff"/><rect x="106" y="172" width="38" height="46" fill="#f1c9a5"/>` +
        `<ellipse cx="125" cy="132" rx="54" ry="64" fill="#f6d3b3"/><path d="M70 124 Q72 62 125 60 Q180 62 181 124 Q170 88 125 90 Q82 88 70 124 Z" fill="#222"/>` +
        `<circle cx="104" cy="134" r="5" fill="#333"/><circle cx="146" cy="134" r="5" fill="#333"/>` +
        `<path d="M108 164 Q125 176 142 164" stroke="#a0522d" stroke-width="4" fill="none" stroke-linecap="round"/></svg></body>`,
    )
    out.push(await page.screenshot({ type: 'png' }))
  }
  await page.close()
  return out
}

/** A deterministic pseudo-random sequence, so the screenshots look the same on every run. */
function random(seed: number) {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648
    return seed / 2147483648
  }
}

export async function seedHall(s: TestServer, browser: Browser): Promise<SeededHall> {
  const ok = (r: { status: number; body: unknown }, what: string) => {
    if (r.status >= 300) throw new Error(`${what}: ${r.status} ${JSON.stringify(r.body)}`)
    return r.body as any
  }
  ok(await s.api('POST', '/api/v1/halls', { id: HALL.id, name: HALL.name, scale: 5 }), 'hall')
  ok(await s.api('POST', '/api/v1/halls', { id: 'hall-2', name: '高新区政务服务大厅', scale: 3 }), 'hall 2')
  const photos = await portraits(browser)
  const seeded: SeededHall = { windows: [], pads: [] }
  for (const [i, p] of PEOPLE.entries()) {
    const windowId = `${HALL.id}-w${i + 1}`
    ok(await s.api('POST', '/api/v1/windows', { id: windowId, hallId: HALL.id, name: p.window }), 'window')
    const staff = ok(
      await s.api('POST', '/api/v1/staff', {
        staffNo: p.staffNo,
        hallId: HALL.id,
        name: p.name,
        title: p.title,
        stars: p.stars,
      }),
      'staff',
    )
    const put = await fetch(`${s.httpUrl}/api/v1/staff/${staff.id}/photo`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${s.adminToken}`, 'content-type': 'image/png' },
      body: new Uint8Array(photos[i]),
    })
    if (put.status !== 200) throw new Error(`photo: ${put.status} ${await put.text()}`)
    ok(await s.api('POST', `/api/v1/windows/${windowId}/sign-in`, { staffNo: p.staffNo }), 'sign-in')
    const pad = ok(
      await s.api('POST', '/api/v1/devices', {
        id: `pad-${String(i + 1).padStart(3, '0')}`,
        hallId: HALL.id,
        windowId,
      }),
      'pad',
    )
    seeded.windows.push({ id: windowId, name: p.window, staffNo: p.staffNo })
    seeded.pads.push({ id: pad.id, secret: pad.secret, windowId, staffNo: p.staffNo })
  }
  // Two windows still being set up: one with nobody signed in, one whose pad was never connected.
  ok(
    await s.api('POST', '/api/v1/windows', { id: `${HALL.id}-w7`, hallId: HALL.id, name: '7号窗口（潮汐）' }),
    'window 7',
  )
  ok(
    await s.api('POST', '/api/v1/devices', { id: 'pad-007', hallId: HALL.id, windowId: `${HALL.id}-w7` }),
    'pad 7',
  )
  // As if each person had already replaced the initial password an admin gave them.
  for (const u of Object.values(USERS)) await s.app.users.create({ ...u, hallIds: [...u.hallIds] })

  // Ratings since the start of last month, in opening hours (08:30–17:30 Beijing time), through the broker.
  const rnd = random(42)
  const now = Date.now()
  const start = new Date(now)
  start.setUTCMonth(start.getUTCMonth() - 1, 1)
  start.setUTCHours(0, 0, 0, 0)
  // Each pad's quality of service: the level weights of its staff member.
  const moods = [0.97, 0.9, 0.95, 0.78, 0.92, 0.86]
  const reasons = ['attitude', 'efficiency', 'skill', 'environment', 'policy', 'other']
  // The pads send at the same time, each without waiting for one message before the next.
  const plans = seeded.pads.map((pad, i) => {
    const messages: { topic: string; payload: string; id: string }[] = []
    for (let day = new Date(start); day.getTime() < now; day.setUTCDate(day.getUTCDate() + 1)) {
      const weekday = day.getUTCDay()
      if (weekday === 0) continue // closed on Sundays
      const count = Math.floor((weekday === 6 ? 2 : 4) + rnd() * 4)
      for (let k = 0; k < count; k++) {
        const minutes = 30 + Math.floor(rnd() * 540) // 08:30 + up to 9 h, Beijing = UTC+8
        const pressed = new Date(
          Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 0, minutes),
        )
        if (pressed.getTime() > now - 60_000) continue
        const service = SERVICES[Math.floor(rnd() * SERVICES.length)]
        const tx = sampleTransaction({
          id: `T-${randomUUID().slice(0, 8)}`,
          caseNo: `SZ${pressed.getTime()}`,
          staffNo: pad.staffNo,
          ...service,
        })
        if (rnd() < 0.12) {
          const ev = sampleEvent('unrated', {
            at: pressed.toISOString(),
            promptedAt: new Date(pressed.getTime() - 5000).toISOString(),
            transaction: tx,
          })
          messages.push({ topic: topics.event(pad.id), payload: JSON.stringify(ev), id: ev.id })
          continue
        }
        const x = rnd()
        const m = moods[i]
        const level = x < m * 0.7 ? 5 : x < m * 0.93 ? 4 : x < m ? 3 : x < m + (1 - m) * 0.6 ? 2 : 1
        const r = sampleRating({
          id: `r-${randomUUID()}`,
          key: 6 - level,
          promptedAt: new Date(pressed.getTime() - 4000).toISOString(),
          pressedAt: pressed.toISOString(),
          staffNo: pad.staffNo,
          transaction: tx,
          reasons: level <= 2 ? [reasons[Math.floor(rnd() * reasons.length)]] : undefined,
        })
        messages.push({ topic: topics.rating(pad.id), payload: JSON.stringify(r), id: r.id })
      }
    }
    return { pad, i, messages }
  })
  await Promise.all(
    plans.map(async ({ pad, i, messages }) => {
      const raw = await RawPad.connect(s.mqttUrl, pad.id, pad.secret)
      await Promise.all(messages.map((m) => raw.client.publishAsync(m.topic, m.payload, { qos: 1 })))
      // The pad says hello (retained status), as a real pad does when it connects.
      const birth = sampleBirth({
        connectCount: 3,
        firmware: i === 3 ? '1.3.9' : '1.4.2',
        model: 'RP-5K',
        staffNo: pad.staffNo,
        configVersion: 1,
        outboxDepth: i === 3 ? 12 : 0,
        clock: new Date().toISOString(),
      })
      await raw.client.publishAsync(topics.status(pad.id), JSON.stringify(birth), { qos: 1, retain: true })
      await waitFor(() => messages.every((m) => raw.ackedIds().has(m.id)), `acks of ${pad.id}`, 120_000)
      await raw.close()
    }),
  )
  await followUp(s)
  // Pad 4 went offline an hour ago (its Last Will).
  const p4 = seeded.pads[3]
  const raw = await RawPad.connect(s.mqttUrl, p4.id, p4.secret)
  await raw.client.publishAsync(
    topics.status(p4.id),
    JSON.stringify({ v: 1, state: 'offline', connectCount: 3 }),
    { qos: 1, retain: true },
  )
  await raw.close()
  await waitFor(
    async () => (await s.api('GET', `/api/v1/devices/${p4.id}`)).body.status.online === false,
    'pad 4 offline',
  )
  return seeded
}

/**
 * The 差评 of the past weeks have been worked on, as a hall would: older ones closed, recent ones
 * being rectified or called back, the newest still to call back, two under appeal.
 */
async function followUp(s: TestServer) {
  const { token } = await s.app.repos.tokens.create({ name: '周主任', role: 'manager', hallIds: [HALL.id] })
  const list = await s.api('GET', `/api/v1/followups?hallId=${HALL.id}&limit=1000`, undefined, token)
  const cases = [...list.body.items].sort((a: any, b: any) => a.ratedAt.localeCompare(b.ratedAt))
  const step = (id: string, body: object) => s.api('POST', `/api/v1/followups/${id}/steps`, body, token)
  const plans: Record<string, object[]> = {
    closed: [
      { action: 'callback', note: '已电话回访，群众反映等候时间较长。' },
      { action: 'start_rectify', kind: 'simple', note: '调整午间窗口排班，增开一个综合窗口。' },
      { action: 'rectify', note: '排班已调整，午间平均等候时间降至 12 分钟。' },
      { action: 'feedback', note: '已将整改情况告知群众，群众表示满意。' },
    ],
    rectified: [
      { action: 'callback', note: '已回访，群众对材料一次性告知不到位有意见。' },
      { action: 'start_rectify', kind: 'simple', note: '组织窗口人员学习一次性告知制度。' },
      { action: 'rectify', note: '已完成培训并更新办事指南。' },
    ],
    rectifying: [
      { action: 'callback', note: '已回访，核实情况属实。' },
      { action: 'start_rectify', kind: 'complex', note: '涉及系统改造，需与业务部门协调。' },
    ],
    called_back: [{ action: 'callback', note: '已电话联系群众，了解具体情况。' }],
    appealed: [{ action: 'appeal', note: '经调取监控，当时群众未办理业务，疑似误按，申请复核。' }],
  }
  for (const [i, c] of cases.entries()) {
    const age = cases.length - i
    const plan =
      age <= 6
        ? null
        : age <= 10
          ? 'called_back'
          : age === 11 || age === 18
            ? 'appealed'
            : age <= 16
              ? 'rectifying'
              : age <= 24
                ? 'rectified'
                : 'closed'
    for (const body of plan ? plans[plan] : []) {
      const r = await step(c.id, body)
      if (r.status !== 201) throw new Error(`follow-up step: ${r.status} ${JSON.stringify(r.body)}`)
    }
  }
}
