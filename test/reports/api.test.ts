// The report and export API end to end: ratings from pads through the broker, reports over REST,
// hall scope by role, validation naming the field, and exports opened as a spreadsheet would.
import { randomUUID } from 'node:crypto'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topics } from '../../protocol/index.ts'
import { sampleEvent, sampleRating, sampleTransaction } from '../fixtures/messages.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

let s: TestServer
let manager: string
let viewer: string
let pads: Awaited<ReturnType<typeof seedHall>>['pads']

const month = 'period=month&date=2026-03-02&asOf=2026-03-12'

async function download(path: string, token = s.adminToken) {
  const res = await fetch(`${s.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })
  return { res, body: Buffer.from(await res.arrayBuffer()) }
}

beforeAll(async () => {
  s = await startServer()
  ;({ pads } = await seedHall(s, { hallId: 'hall-a', windows: 2 }))
  await seedHall(s, { hallId: 'hall-b', windows: 1 })
  manager = (await s.app.repos.tokens.create({ name: 'manager of a', role: 'manager', hallIds: ['hall-a'] }))
    .token
  viewer = (await s.app.repos.tokens.create({ name: 'viewer', role: 'viewer' })).token

  // Through the broker: w1's pad sends 非常满意, 满意, 非常不满意 (态度); w2's pad one unrated transaction.
  const pad = await RawPad.connect(s.mqttUrl, pads[0].id, pads[0].secret)
  const tx = (staffNo: string) =>
    sampleTransaction({
      id: `T-${randomUUID().slice(0, 8)}`,
      staffNo,
      serviceCode: 'A01',
      serviceName: '户籍迁移',
    })
  const sent = [
    pad.rating({ key: 1, transaction: tx(pads[0].staffNo) }),
    pad.rating({ key: 2, transaction: tx(pads[0].staffNo) }),
    pad.rating({ key: 5, reasons: ['attitude'], transaction: tx(pads[0].staffNo) }),
  ]
  for (const r of sent) await pad.send(r)
  await waitFor(() => sent.every((r) => pad.ackedIds().has(r.id)), 'acks')
  await pad.close()
  const pad2 = await RawPad.connect(s.mqttUrl, pads[1].id, pads[1].secret)
  const ev = sampleEvent('unrated', { transaction: tx(pads[1].staffNo) })
  await pad2.client.publishAsync(topics.event(pads[1].id), JSON.stringify(ev), { qos: 1 })
  await waitFor(() => pad2.ackedIds().has(ev.id), 'event ack')
  await pad2.close()
})
afterAll(async () => s?.close())

describe('reports over REST', () => {
  it('lets a viewer read a hall summary', async () => {
    const r = await s.api('GET', `/api/v1/reports/summary?hallId=hall-a&${month}`, undefined, viewer)
    expect(r.status).toBe(200)
    expect(r.body.metrics).toMatchObject({
      levels: { '1': 1, '2': 0, '3': 0, '4': 1, '5': 1 },
      rated: 3,
      good: 2,
      bad: 1,
      unrated: 1,
      transactions: 4,
      participation: 0.75,
    })
    expect(r.body.reasons).toMatchObject([{ code: 'attitude', label: '服务态度', count: 1 }])
    expect(r.body.unratedPolicy).toEqual({ mode: 'keep', asOf: '2026-03-12', countedThrough: null })
  })

  it('answers 403 to a hall manager asking for another hall, and scopes the hall ranking', async () => {
    for (const path of [
      `/api/v1/reports/summary?hallId=hall-b&${month}`,
      `/api/v1/reports/windows?hallId=hall-b&${month}`,
      `/api/v1/reports/staff?hallId=hall-b`,
      `/api/v1/reports/trend?hallId=hall-b`,
      `/api/v1/reports/heatmap?hallId=hall-b`,
      `/api/v1/reports/halls?hallIds=hall-a,hall-b`,
      `/api/v1/exports/windows?hallId=hall-b`,
      `/api/v1/exports/ratings?hallId=hall-b`,
      `/api/v1/ratings?hallId=hall-b&period=month`,
      `/api/v1/halls/hall-b/unrated-policy`,
    ]) {
      const r = await s.api('GET', path, undefined, manager)
      expect([path, r.status]).toEqual([path, 403])
    }
    expect(
      (await s.api('GET', `/api/v1/reports/summary?hallId=hall-a&${month}`, undefined, manager)).status,
    ).toBe(200)
    const halls = await s.api('GET', `/api/v1/reports/halls?${month}`, undefined, manager)
    expect(halls.body.rows.map((r: { hallId: string }) => r.hallId)).toEqual(['hall-a'])
  })

  it('names the field of a bad query', async () => {
    for (const [query, field] of [
      ['hallId=hall-a&period=custom&from=2026-03-01', 'querystring.to'],
      ['hallId=hall-a&date=2026-02-30', 'querystring.date'],
      ['hallId=hall-a&period=month&from=2026-03-01', 'querystring.from'],
      ['hallId=hall-a&period=custom&from=2026-03-09&to=2026-03-01', 'querystring.to'],
      ['hallId=hall-a&by=luck', 'querystring.by'],
      ['period=month', 'querystring.hallId'],
    ]) {
      const r = await s.api('GET', `/api/v1/reports/windows?${query}`)
      expect([query, r.status, r.body.issues?.[0]?.field]).toEqual([query, 400, field])
    }
    const drill = await s.api('GET', '/api/v1/ratings?period=month')
    expect(drill).toMatchObject({ status: 400, body: { issues: [{ field: 'querystring.hallId' }] } })
    const unknown = await s.api('GET', '/api/v1/reports/summary?hallId=nope')
    expect(unknown.status).toBe(404)
  })

  it('sets the unrated policy as the hall’s manager, and every report applies it', async () => {
    const body = { mode: 'default', level: 3, afterDays: 7 }
    expect((await s.api('PUT', '/api/v1/halls/hall-a/unrated-policy', body, viewer)).status).toBe(403)
    expect((await s.api('PUT', '/api/v1/halls/hall-b/unrated-policy', body, manager)).status).toBe(403)
    const bad = await s.api('PUT', '/api/v1/halls/hall-a/unrated-policy', { ...body, level: 7 }, manager)
    expect(bad).toMatchObject({ status: 400, body: { issues: [{ field: 'body.level' }] } })
    const put = await s.api('PUT', '/api/v1/halls/hall-a/unrated-policy', body, manager)
    expect(put).toMatchObject({
      status: 200,
      body: { mode: 'default', level: 3, afterDays: 7, updatedBy: 'manager of a' },
    })
    try {
      const r = await s.api('GET', `/api/v1/reports/windows?hallId=hall-a&${month}`, undefined, viewer)
      expect(r.body.unratedPolicy).toMatchObject({ mode: 'default', countedThrough: '2026-03-05' })
      expect(r.body.hallAverage).toMatchObject({ rated: 3, defaulted: 1, unrated: 0, good: 3 })
      const csv = await download(`/api/v1/exports/summary?hallId=hall-a&${month}&format=csv&lang=en`)
      expect(csv.res.headers.get('x-unrated-policy')).toMatch(
        /count as "Fairly satisfied" after 7 calendar days/,
      )
    } finally {
      await s.api('PUT', '/api/v1/halls/hall-a/unrated-policy', { mode: 'keep' })
    }
  })

  it('drills down into the raw ratings of a report cell', async () => {
    const r = await s.api(
      'GET',
      `/api/v1/ratings?hallId=hall-a&period=day&date=2026-03-02&class=bad&serviceCode=A01`,
    )
    expect(r.status).toBe(200)
    expect(r.body.items).toHaveLength(1)
    expect(r.body.items[0]).toMatchObject({
      level: 1,
      reasons: ['attitude'],
      day: '2026-03-02',
      voided: null,
    })
    const none = await s.api('GET', `/api/v1/ratings?hallId=hall-a&period=day&date=2026-03-03`)
    expect(none.body.items).toEqual([])
  })

  it('rebuilds rollups for an admin only', async () => {
    expect((await s.api('POST', '/api/v1/reports/rebuild', { hallId: 'hall-a' }, manager)).status).toBe(403)
    const r = await s.api('POST', '/api/v1/reports/rebuild', { hallId: 'hall-a' })
    expect(r).toMatchObject({ status: 200, body: { hallId: 'hall-a' } })
    const after = await s.api('GET', `/api/v1/reports/summary?hallId=hall-a&${month}`)
    expect(after.body.metrics).toMatchObject({ rated: 3, unrated: 1 })
  })
})

describe('exports', () => {
  it('writes the window ranking as XLSX with Chinese headers and a notes sheet', async () => {
    const { res, body } = await download(`/api/v1/exports/windows?hallId=hall-a&${month}`, viewer)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe(
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    )
    expect(res.headers.get('content-disposition')).toBe(
      `attachment; filename="windows_hall-a_2026-03.xlsx"; filename*=UTF-8''${encodeURIComponent('窗口测评_政务服务大厅_2026-03.xlsx')}`,
    )
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(body as unknown as ArrayBuffer)
    const sheet = wb.getWorksheet('窗口测评')!
    const rows: unknown[][] = []
    sheet.eachRow((row) => rows.push((row.values as unknown[]).slice(1)))
    expect(rows[0].slice(0, 8)).toEqual([
      '窗口编号',
      '窗口',
      '排名',
      '上期排名',
      '名次变化',
      '评价数',
      '非常满意',
      '满意',
    ])
    const col = (name: string) => (rows[0] as string[]).indexOf(name)
    expect(rows).toHaveLength(3)
    const w1 = rows.find((r) => r[0] === 'hall-a-w1')!
    const w2 = rows.find((r) => r[0] === 'hall-a-w2')!
    expect([
      w1[col('窗口')],
      w1[col('评价数')],
      w1[col('满意率')],
      w1[col('差评数')],
      w1[col('排名')],
    ]).toEqual(['1号窗口', 3, 2 / 3, 1, 1])
    // An empty cell for the unranked window.
    expect([w2[col('评价数')], w2[col('未评价数')], w2[col('参评率')], w2[col('排名')]]).toEqual([
      0,
      1,
      0,
      undefined,
    ])
    expect(sheet.getRow(2).getCell(col('满意率') + 1).numFmt).toBe('0.00%')
    const notes: string[][] = []
    wb.getWorksheet('说明')!.eachRow((row) => notes.push((row.values as string[]).slice(1)))
    expect(notes).toContainEqual(['统计周期', '2026-03（2026-03-01 ~ 2026-03-31）'])
    expect(notes).toContainEqual(['未评价处理', '未评价的办件保持未评价'])
  })

  it('streams the raw ratings as CSV, page after page, with English headers on request', async () => {
    // 2,500 more ratings on 2026-03-05, through the ingest store: more than two export pages.
    const batch = Array.from({ length: 2500 }, (_, i) => ({
      deviceId: pads[1].id,
      rating: sampleRating({
        id: `bulk-${String(i).padStart(6, '0')}`,
        key: (i % 5) + 1,
        promptedAt: '2026-03-05T10:00:00+08:00',
        pressedAt: '2026-03-05T10:00:05+08:00',
      }),
      receivedAt: new Date('2026-03-05T02:00:06Z'),
    }))
    await s.app.repos.ingestStore.commitBatch(batch, [], [])
    const { res, body } = await download(
      `/api/v1/exports/ratings?hallId=hall-a&period=month&date=2026-03-01&format=csv&lang=en`,
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const text = body.toString('utf8')
    expect(text.startsWith('\uFEFFRated at,Day,Hall,Window,Staff no.')).toBe(true)
    const lines = text.trimEnd().split('\r\n')
    expect(lines).toHaveLength(1 + 3 + 2500)
    expect(new Set(lines.slice(1).map((l) => l.split(',').at(-1))).size).toBe(2503) // no row twice
    expect(lines[1]).toMatch(/^2026-03-05 10:00:05,2026-03-05,政务服务大厅,2号窗口,/)
    const bad = await download(
      `/api/v1/exports/ratings?hallId=hall-a&period=day&date=2026-03-02&class=bad&format=xlsx`,
    )
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.load(bad.body as unknown as ArrayBuffer)
    const rows: unknown[][] = []
    wb.getWorksheet('评价明细')!.eachRow((row) => rows.push((row.values as unknown[]).slice(1)))
    expect(rows).toHaveLength(2)
    expect(rows[1].slice(1, 12)).toEqual([
      '2026-03-02',
      '政务服务大厅',
      '1号窗口',
      'hall-a-S1',
      'A01',
      '户籍迁移',
      'BJ-2026-000042',
      '非常不满意',
      1,
      '差评',
      '服务态度',
    ])
  })

  it('exports every report', async () => {
    for (const path of ['summary', 'windows', 'staff', 'services', 'trend', 'heatmap', 'halls'])
      for (const format of ['csv', 'xlsx']) {
        const { res, body } = await download(
          `/api/v1/exports/${path}?hallId=hall-a&${month}&format=${format}`,
        )
        expect([path, format, res.status]).toEqual([path, format, 200])
        expect(body.length).toBeGreaterThan(100)
      }
  })
})
