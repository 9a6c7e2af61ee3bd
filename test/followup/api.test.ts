// The follow-up loop end to end: a 差评 pressed on a pad goes through the real broker and ingest and
// opens a case; managers act on it over REST within their halls; an upheld appeal voids the rating
// in the reports; the calendar and due rules are set over REST; the list exports as XLSX and CSV.
import { randomUUID } from 'node:crypto'
import ExcelJS from 'exceljs'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { WorkCalendar } from '../../server/followup/calendar.ts'
import { sampleTransaction } from '../fixtures/messages.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

let s: TestServer
let managerA: string
let managerB: string
let viewer: string
let caseId: string
let ratingDay: string

async function download(path: string, token = s.adminToken) {
  const res = await fetch(`${s.httpUrl}${path}`, { headers: { authorization: `Bearer ${token}` } })
  return { res, body: Buffer.from(await res.arrayBuffer()) }
}

beforeAll(async () => {
  s = await startServer()
  const { pads } = await seedHall(s, { hallId: 'hall-a', windows: 1 })
  await seedHall(s, { hallId: 'hall-b', windows: 1 })
  const token = async (name: string, role: 'manager' | 'viewer', hallIds: string[]) =>
    (await s.app.repos.tokens.create({ name, role, hallIds })).token
  managerA = await token('A厅主任', 'manager', ['hall-a'])
  managerB = await token('B厅主任', 'manager', ['hall-b'])
  viewer = await token('查看员', 'viewer', [])

  // Through the broker: a 非常不满意 (key 5 of 5) with a reason, and a 非常满意.
  const pad = await RawPad.connect(s.mqttUrl, pads[0].id, pads[0].secret)
  const tx = () => sampleTransaction({ id: `T-${randomUUID().slice(0, 8)}`, staffNo: pads[0].staffNo })
  const sent = [
    pad.rating({ key: 5, reasons: ['attitude'], transaction: tx() }),
    pad.rating({ key: 1, transaction: tx() }),
  ]
  for (const r of sent) await pad.send(r)
  await waitFor(() => sent.every((r) => pad.ackedIds().has(r.id)), 'acks')
  await pad.close()
})
afterAll(async () => s?.close())

describe('差评 follow-up over REST', () => {
  it('opens a case for a 差评 from a pad, acked only once the case is committed too', async () => {
    // The ack came after the commit, and the case is in the same transaction: no waiting needed.
    const list = await s.api('GET', '/api/v1/followups?hallId=hall-a', undefined, viewer)
    expect(list.status).toBe(200)
    expect(list.body.total).toBe(1)
    const c = list.body.items[0]
    caseId = c.id
    ratingDay = c.ratedDay
    expect(c).toMatchObject({
      hallId: 'hall-a',
      windowId: 'hall-a-w1',
      staffNo: 'hall-a-S1',
      level: 1,
      reasons: ['attitude'],
      state: 'pending_callback',
      stateLabel: '待回访',
      overdue: false,
    })
    expect(c.callback.dueDay).toBe(WorkCalendar.of().addWorkingDays(c.openedDay, 1))
    expect(c.rectify.dueDay).toBe(WorkCalendar.of().addWorkingDays(c.openedDay, 5))
  })

  it('records each step with the token’s name, and answers 409 and 400 plainly', async () => {
    const step = await s.api(
      'POST',
      `/api/v1/followups/${caseId}/steps`,
      { action: 'callback', note: '已回访群众' },
      managerA,
    )
    expect(step.status).toBe(201)
    expect(step.body).toMatchObject({ state: 'called_back', stateLabel: '已回访' })
    expect(step.body.steps.at(-1)).toMatchObject({ action: 'callback', by: 'A厅主任', note: '已回访群众' })

    const again = await s.api('POST', `/api/v1/followups/${caseId}/steps`, { action: 'callback', note: 'x' })
    expect(again.status).toBe(409)
    expect(again.body.message).toMatch(/^cannot 回访 \(callback\) a case in state 已回访 \(called_back\)/)

    const noNote = await s.api('POST', `/api/v1/followups/${caseId}/steps`, { action: 'rectify', note: ' ' })
    expect(noNote).toMatchObject({ status: 400, body: { issues: [{ field: 'body.note' }] } })
    const badState = await s.api('GET', '/api/v1/followups?state=pending,closed')
    expect(badState).toMatchObject({ status: 400, body: { issues: [{ field: 'querystring.state.0' }] } })
  })

  it('keeps managers to their halls and viewers to reading', async () => {
    const body = { action: 'start_rectify', note: 'x' }
    for (const [method, path, token, payload] of [
      ['GET', '/api/v1/followups?hallId=hall-a', managerB],
      ['GET', `/api/v1/followups/${caseId}`, managerB],
      ['POST', `/api/v1/followups/${caseId}/steps`, managerB, body],
      ['POST', `/api/v1/followups/${caseId}/steps`, viewer, body],
      ['GET', '/api/v1/reports/followups?hallId=hall-a', managerB],
      ['GET', '/api/v1/exports/followups?hallId=hall-a', managerB],
      [
        'PUT',
        '/api/v1/halls/hall-a/followup-policy',
        managerB,
        { callbackDays: 1, simpleRectifyDays: 5, complexRectifyDays: 15 },
      ],
      ['PUT', '/api/v1/calendar/years/2027', managerA, { off: [], work: [] }],
      ['PUT', '/api/v1/calendar/years/2027?hallId=hall-a', managerB, { off: [], work: [] }],
    ] as const) {
      const r = await s.api(method, path, payload, token)
      expect([method, path, r.status]).toEqual([method, path, 403])
    }
    const own = await s.api('GET', '/api/v1/followups', undefined, managerB)
    expect(own.body.total).toBe(0)
  })

  it('voids the rating in the reports when an appeal is upheld', async () => {
    const summary = () => s.api('GET', `/api/v1/reports/summary?hallId=hall-a&period=day&date=${ratingDay}`)
    expect((await summary()).body.metrics).toMatchObject({ rated: 2, bad: 1, satisfaction: 0.5, voided: 0 })
    const appeal = await s.api(
      'POST',
      `/api/v1/followups/${caseId}/steps`,
      { action: 'appeal', note: '工作人员申诉：误按' },
      managerA,
    )
    expect(appeal.body.state).toBe('appealed')
    const upheld = await s.api('POST', `/api/v1/followups/${caseId}/steps`, {
      action: 'review',
      decision: 'upheld',
      note: '复核属实',
    })
    expect(upheld.status).toBe(201)
    expect(upheld.body).toMatchObject({
      state: 'voided',
      voidDecision: { decidedBy: 'test admin', reason: '复核属实', caseId },
    })
    expect((await summary()).body.metrics).toMatchObject({ rated: 1, bad: 0, satisfaction: 1, voided: 1 })
    const raw = await s.api('GET', '/api/v1/ratings?hallId=hall-a&voided=only')
    expect(raw.body.items).toHaveLength(1)
    expect(raw.body.items[0]).toMatchObject({ level: 1, class: 'bad', voided: { caseId } })
  })

  it('reports 回访率, 整改率 and the on-time rate', async () => {
    // The pad's clock said March (sample time): the case counts on the day it was rated.
    const r = await s.api(
      'GET',
      `/api/v1/reports/followups?groupBy=hall&period=day&date=${ratingDay}`,
      undefined,
      managerA,
    )
    expect(r.status).toBe(200)
    expect(r.body.rows.map((x: { hallId: string }) => x.hallId)).toEqual(['hall-a'])
    expect(r.body.totals).toMatchObject({ voided: 1, callbacksDue: 0, callbackRate: null })
  })

  it('stores a calendar year and due rules over REST', async () => {
    const bad = await s.api('PUT', '/api/v1/calendar/years/2027', { off: ['2027-13-01'], work: [] })
    expect(bad).toMatchObject({ status: 400, body: { issues: [{ field: 'body.off.0' }] } })
    const put = await s.api('PUT', '/api/v1/calendar/years/2027', {
      off: ['2027-01-01'],
      work: [],
      source: '国务院办公厅关于2027年部分节假日安排的通知',
    })
    expect(put).toMatchObject({ status: 200, body: { year: 2027, origin: 'all-halls', rescheduled: 0 } })
    const years = await s.api('GET', '/api/v1/calendar/years?hallId=hall-a', undefined, managerA)
    expect(years.body.years.map((y: { year: number }) => y.year)).toEqual([2025, 2026, 2027])
    expect((await s.api('GET', '/api/v1/calendar/years/2030')).status).toBe(404)

    const policy = await s.api(
      'PUT',
      '/api/v1/halls/hall-a/followup-policy',
      { callbackDays: 2, simpleRectifyDays: 1, complexRectifyDays: 15 },
      managerA,
    )
    expect(policy).toMatchObject({ status: 400, body: { issues: [{ field: 'body.simpleRectifyDays' }] } })
    const ok = await s.api(
      'PUT',
      '/api/v1/halls/hall-a/followup-policy',
      { callbackDays: 1, simpleRectifyDays: 3, complexRectifyDays: 10 },
      managerA,
    )
    expect(ok).toMatchObject({ status: 200, body: { simpleRectifyDays: 3, updatedBy: 'A厅主任' } })
  })

  it('exports the list as XLSX and CSV with Chinese headers', async () => {
    const { res, body } = await download('/api/v1/exports/followups?hallId=hall-a', managerA)
    expect(res.status).toBe(200)
    expect(res.headers.get('content-disposition')).toContain(encodeURIComponent('差评回访整改'))
    const book = new ExcelJS.Workbook()
    await book.xlsx.load(body as unknown as ArrayBuffer)
    const sheet = book.getWorksheet('差评回访整改')!
    const header = sheet.getRow(1).values as unknown[]
    expect(header).toEqual(expect.arrayContaining(['评价时间', '状态', '回访期限', '按时回访', '案件编号']))
    expect(sheet.rowCount).toBe(2)
    const row = sheet.getRow(2).values as unknown[]
    expect(row[header.indexOf('状态')]).toBe('申诉成立（评价作废）')
    expect(row[header.indexOf('差评原因')]).toBe('服务态度')
    expect(row[header.indexOf('案件编号')]).toBe(caseId)

    const csv = await download('/api/v1/exports/followups?hallId=hall-a&format=csv&lang=en')
    const lines = csv.body
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
    expect(lines[0].split(',').slice(0, 3)).toEqual(['Rated at', 'Hall', 'Window'])
    expect(lines).toHaveLength(2)
    expect(lines[1]).toContain(',voided,')
  })
})
