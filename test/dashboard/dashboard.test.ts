// The dashboard and the hall wall in headless Chromium against the real server (embedded broker,
// SQLite, the Vite build of web/): sign-in, reports that show what the API says, exports, the live
// wall, the 差评 board, role limits. Screenshots of every main page go to test-results/dashboard/
// (look at them after a design change).
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import ExcelJS from 'exceljs'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { sampleTransaction } from '../fixtures/messages.ts'
import { RawPad } from '../helpers/raw-pad.ts'
import { startServer, waitFor, type TestServer } from '../helpers/server.ts'
import { launchChromium, noChromium, screenshotDir } from '../web/chromium.ts'
import { HALL, PEOPLE, seedHall, USERS, type SeededHall } from './hall.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SHOTS = screenshotDir('dashboard')
const DESKTOP = { width: 1440, height: 900 }

describe.skipIf(noChromium)('dashboard and hall wall in Chromium', () => {
  let s: TestServer
  let browser: Browser
  let seeded: SeededHall
  /** The admin account a first start makes, with its printed password. */
  let firstAdmin: { username: string; password: string }
  const contexts: BrowserContext[] = []

  async function newPage(viewport = DESKTOP): Promise<Page> {
    const context = await browser.newContext({
      viewport,
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      acceptDownloads: true,
    })
    contexts.push(context)
    const page = await context.newPage()
    page.on('pageerror', (e) => console.error('page error:', e))
    return page
  }

  async function signIn(page: Page, user: { username: string; password: string }, next = '') {
    await page.goto(`${s.httpUrl}/app/dashboard/#/login${next}`)
    await page.fill('input[name=username]', user.username)
    await page.fill('input[name=password]', user.password)
    await page.click('button[type=submit]')
  }

  const shot = (page: Page, name: string, fullPage = true) =>
    page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage })
  /** Waits until the charts have drawn (ECharts animates for a moment). */
  const settle = (page: Page) => page.waitForTimeout(900)

  beforeAll(async () => {
    // The pages the server serves are the Vite build of web/ (npm install and npm start build it too).
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-web.mjs'), '--if-stale'], {
      cwd: ROOT,
      stdio: 'pipe',
    })
    s = await startServer()
    firstAdmin = (await s.app.users.ensureFirstAdmin())! // as server.ts does on a first start
    browser = await launchChromium()
    seeded = await seedHall(s, browser)
  }, 180_000)

  afterAll(async () => {
    for (const c of contexts) await c.close().catch(() => {})
    await browser?.close()
    await s?.close()
  })

  it('refuses a wrong password with a message', async () => {
    const page = await newPage()
    await signIn(page, { username: USERS.manager.username, password: 'not-the-password' })
    const error = page.getByTestId('login-error')
    await error.waitFor()
    expect(await error.textContent()).toContain('用户名或密码错误')
    expect(await error.textContent()).toContain('4')
    await shot(page, '01-login-wrong-password')
    expect(page.url()).toContain('#/login')
  })

  it('signs a manager in to the overview, whose figures are the API’s', async () => {
    const page = await newPage()
    await signIn(page, USERS.manager)
    await page.getByTestId('kpi-satisfaction').waitFor()
    const api = (await s.api('GET', `/api/v1/reports/summary?hallId=${HALL.id}&period=month`)).body
    expect(await page.getByTestId('kpi-rated').locator('.kpi-value').textContent()).toBe(
      api.metrics.rated.toLocaleString('zh-CN'),
    )
    expect(await page.getByTestId('kpi-satisfaction').locator('.kpi-value').textContent()).toBe(
      `${(api.metrics.satisfaction * 100).toFixed(1)}%`,
    )
    await settle(page)
    await shot(page, '02-overview')
  })

  it('filters a report and shows the numbers the API gives', async () => {
    const page = await newPage()
    await signIn(page, USERS.manager)
    await page.getByTestId('kpi-rated').waitFor()
    // Last month, one window, through the filter controls.
    await page.click('button[title="上一期"]')
    await page.selectOption('select[name=windowId]', seeded.windows[3].id)
    const last = new Date()
    last.setUTCDate(1)
    last.setUTCMonth(last.getUTCMonth() - 1)
    const label = last.toISOString().slice(0, 7)
    await page.locator('.period-label', { hasText: label }).waitFor()
    const q = `hallId=${HALL.id}&period=month&date=${label}-01&windowId=${seeded.windows[3].id}`
    const api = (await s.api('GET', `/api/v1/reports/summary?${q}`)).body
    expect(api.metrics.rated).toBeGreaterThan(0)
    await waitFor(
      async () =>
        (await page.getByTestId('kpi-rated').locator('.kpi-value').textContent()) ===
        String(api.metrics.rated),
      'the filtered count',
    )
    expect(await page.getByTestId('kpi-bad').locator('.kpi-value').textContent()).toBe(
      String(api.metrics.bad),
    )
    expect(await page.getByTestId('kpi-participation').locator('.kpi-value').textContent()).toBe(
      `${(api.metrics.participation * 100).toFixed(1)}%`,
    )
    await settle(page)
    await shot(page, '03-overview-filtered')
  })

  it('exports the window ranking as CSV and Excel with the rows the API gives', async () => {
    const page = await newPage()
    await signIn(page, USERS.manager, `?next=${encodeURIComponent('/app/dashboard/#/windows')}`)
    await page.locator('table.ranking').waitFor()
    const api = (await s.api('GET', `/api/v1/reports/windows?hallId=${HALL.id}&period=month`)).body
    await settle(page)
    await shot(page, '04-windows')

    const [csv] = await Promise.all([
      page.waitForEvent('download'),
      page.click('.page-head .exports a[data-format=csv]'),
    ])
    const text = readFileSync(await csv.path(), 'utf8').replace(/^\uFEFF/, '')
    const lines = text.trim().split(/\r?\n/)
    for (const row of api.rows) expect(text).toContain(row.name ?? '')
    expect(lines.length).toBeGreaterThanOrEqual(api.rows.length + 1)
    const first = api.rows[0]
    const firstLine = lines.find((l) => l.includes(first.name))!
    expect(firstLine).toContain(String(first.metrics.rated))

    const [xlsx] = await Promise.all([
      page.waitForEvent('download'),
      page.click('.page-head .exports a[data-format=xlsx]'),
    ])
    expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/)
    const wb = new ExcelJS.Workbook()
    await wb.xlsx.readFile(await xlsx.path())
    const sheet = wb.worksheets[0]
    const names: string[] = []
    sheet.eachRow((r) => names.push(r.values!.toString()))
    for (const row of api.rows) expect(names.some((n) => n.includes(row.name))).toBe(true)
  })

  it('drills down from a window to its individual ratings', async () => {
    const page = await newPage()
    await signIn(page, USERS.manager, `?next=${encodeURIComponent('/app/dashboard/#/windows')}`)
    await page.locator('table.ranking a', { hasText: seeded.windows[1].name }).click()
    const table = page.getByTestId('ratings-table')
    await table.waitFor()
    const api = (
      await s.api(
        'GET',
        `/api/v1/ratings?hallId=${HALL.id}&period=month&windowId=${seeded.windows[1].id}&limit=50`,
      )
    ).body
    expect(await table.locator('tbody tr').count()).toBe(api.items.length)
    await settle(page)
    await shot(page, '05-window-detail')
    await page.click('input[name=onlyBad]')
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=ratings-table] .level-pill.l5').length === 0,
    )
    await page.goto(`${s.httpUrl}/app/dashboard/#/staff`)
    await page.locator('table.ranking').waitFor()
    await settle(page)
    await shot(page, '06-staff')
  })

  it('shows a rating made on a pad on the hall wall, live', async () => {
    const page = await newPage({ width: 1920, height: 1080 })
    await signIn(page, USERS.viewer, `?next=${encodeURIComponent(`/app/wall/?hall=${HALL.id}`)}`)
    await page.getByTestId('live-state').locator('text=实时').waitFor()
    const card = page.locator(`[data-window="${seeded.windows[0].id}"]`)
    const before = Number(await card.getByTestId('window-rated').textContent())
    await shot(page, '07-wall', false)

    const pad = seeded.pads[0]
    const raw = await RawPad.connect(s.mqttUrl, pad.id, pad.secret)
    const now = new Date()
    const r = raw.rating({
      key: 1,
      promptedAt: new Date(now.getTime() - 3000).toISOString(),
      pressedAt: now.toISOString(),
      staffNo: pad.staffNo,
      transaction: sampleTransaction({ id: 'T-wall-1', staffNo: pad.staffNo }),
    })
    await raw.send(r)
    // Asserted, not timed: the 2-second target is measured in bench/, not here.
    await waitFor(
      async () => Number(await card.getByTestId('window-rated').textContent()) === before + 1,
      'the rating on the wall',
      10_000,
    )
    await shot(page, '08-wall-after-rating', false)
    await raw.close()
  })

  it('records a 回访 on a 差评 from the board', async () => {
    // Two cases received days ago: their callback deadline has passed (the board marks them).
    const old = await s.app.db.prisma.followupCase.findMany({
      where: { hallId: HALL.id, state: 'pending_callback' },
      take: 2,
    })
    const past = new Date(Date.now() - 2 * 86_400_000)
    for (const c of old)
      await s.app.db.prisma.followupCase.update({
        where: { id: c.id },
        data: { callbackDueAt: past, dueAt: past, callbackDueDay: past.toISOString().slice(0, 10) },
      })

    const page = await newPage()
    await signIn(page, USERS.manager, `?next=${encodeURIComponent('/app/dashboard/#/followups')}`)
    const column = page.locator('[data-state=pending_callback]')
    await column.locator('.case-card').first().waitFor()
    expect(await column.locator('.case-card.overdue').count()).toBe(2)
    await shot(page, '09-followups')
    const card = column.locator('.case-card.overdue').first()
    const caseId = (await card.getAttribute('data-case'))!
    await card.click()
    await page.getByTestId('case-detail').waitFor()
    await page.click('button[data-action=callback]')
    await page.fill('textarea[name=note]', '已电话回访群众，解释了办理时限，群众表示理解。')
    await shot(page, '10-followup-callback')
    await page.click('.step-form button[type=submit]')
    await page.getByTestId('case-state').locator('text=已回访').waitFor()
    const after = (await s.api('GET', `/api/v1/followups/${caseId}`)).body
    expect(after.state).toBe('called_back')
    expect(after.steps.at(-1)).toMatchObject({
      action: 'callback',
      by: USERS.manager.username,
      note: '已电话回访群众，解释了办理时限，群众表示理解。',
    })
  })

  it('keeps a viewer out of the registry pages', async () => {
    const page = await newPage()
    await signIn(page, USERS.viewer)
    await page.getByTestId('kpi-satisfaction').waitFor()
    expect(await page.locator('.sidebar a[href^="#/admin"]').count()).toBe(0)
    for (const path of ['/admin/staff', '/admin/devices', '/admin/windows', '/admin/halls', '/admin/users']) {
      await page.goto(`${s.httpUrl}/app/dashboard/#${path}`)
      await page.locator('.no-access').waitFor()
      expect(await page.locator('.no-access h1').textContent()).toBe('无权访问此页面')
    }
    await shot(page, '11-viewer-no-access')
    // And the API says no as well.
    const res = await page.evaluate(() =>
      fetch('/api/v1/staff', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-requested-with': 'rating-pad' },
        body: JSON.stringify({ staffNo: 'X1', hallId: 'hall-1', name: 'x' }),
      }).then((r) => r.status),
    )
    expect(res).toBe(403)
  })

  it('shows device health, offline pads first', async () => {
    const page = await newPage()
    await signIn(page, USERS.manager, `?next=${encodeURIComponent('/app/dashboard/#/devices')}`)
    const rows = page.getByTestId('device-health').locator('tbody tr')
    await rows.first().waitFor()
    const ids = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-device')))
    // pad-004 went offline, pad-007 never connected: both before the online ones.
    expect(ids.slice(0, 2).sort()).toEqual(['pad-004', 'pad-007'])
    await shot(page, '12-devices')
  })

  it('lets an admin manage the registry: a new pad shows its secret once', async () => {
    const page = await newPage()
    const first = firstAdmin
    await signIn(page, first)
    // The printed password must be replaced first.
    await page.locator('input[name=current]').waitFor()
    await page.fill('input[name=current]', first.password)
    await page.fill('input[name=next]', 'admin-password-2026')
    await page.fill('input[name=repeat]', 'admin-password-2026')
    await page.click('button[type=submit]')
    await page.getByTestId('kpi-satisfaction').waitFor()

    await page.goto(`${s.httpUrl}/app/dashboard/#/admin/devices?hall=${HALL.id}`)
    await page.getByTestId('device-admin').waitFor()
    await page.click('text=登记评价器')
    await page.fill('.modal input[name=id]', 'pad-008')
    await page.selectOption('.modal select[name=windowId]', `${HALL.id}-w7`)
    await page.click('.modal button.primary')
    const secret = await page.getByTestId('secret-once').locator('code.secret').textContent()
    expect(await s.app.padAuth.verify('pad-008', secret!)).toBe(true)
    await shot(page, '13-device-secret-once', false)
    await page.click('.modal .btn.primary')

    for (const [path, name] of [
      ['/admin/halls', '14-admin-halls'],
      ['/admin/windows', '15-admin-windows'],
      ['/admin/staff', '16-admin-staff'],
      ['/admin/users', '17-admin-users'],
    ] as const) {
      await page.goto(`${s.httpUrl}/app/dashboard/#${path}?hall=${HALL.id}`)
      await page.locator('.card').first().waitFor()
      await page.waitForLoadState('networkidle')
      await shot(page, name)
    }
    await page.goto(`${s.httpUrl}/app/dashboard/#/admin/staff?hall=${HALL.id}`)
    await page.locator('text=王晓梅').first().waitFor()
    await page.locator('tr', { hasText: '王晓梅' }).locator('button').click()
    await shot(page, '18-admin-staff-edit', false)
    // A new photo through the page: uploaded, stored, and shown from its new address.
    const before = (await s.api('GET', `/api/v1/staff?hallId=${HALL.id}`)).body.find(
      (x: any) => x.staffNo === 'A1001',
    )
    const photo = await page.locator('.modal img.photo-preview').screenshot({ type: 'png' })
    await page.setInputFiles('.modal input[name=photo]', {
      name: 'wang.png',
      mimeType: 'image/png',
      buffer: photo,
    })
    await page.click('.modal button.primary')
    await page.locator('.modal').waitFor({ state: 'detached' })
    const after = (await s.api('GET', `/api/v1/staff?hallId=${HALL.id}`)).body.find(
      (x: any) => x.staffNo === 'A1001',
    )
    expect(after.photoUrl).toMatch(/^\/photos\/.+\.png$/)
    expect(after.photoUrl).not.toBe(before.photoUrl)
    expect((await fetch(`${s.httpUrl}${after.photoUrl}`)).status).toBe(200)
  })

  it('prints a monthly ranking poster and speaks English on request', async () => {
    const page = await newPage()
    await signIn(page, USERS.manager, `?next=${encodeURIComponent('/app/dashboard/#/poster')}`)
    await page.getByTestId('poster').waitFor()
    await page.waitForLoadState('networkidle')
    await shot(page, '19-poster')
    await page.emulateMedia({ media: 'print' })
    await shot(page, '20-poster-print')
    // Printed: one A4 page.
    const pdf = await page.pdf({
      path: join(SHOTS, 'poster.pdf'),
      preferCSSPageSize: true,
      printBackground: true,
    })
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)).toHaveLength(1)
    await page.emulateMedia({ media: 'screen' })
    await page.goto(`${s.httpUrl}/app/dashboard/#/overview`)
    await page.getByTestId('kpi-satisfaction').waitFor()
    await page.click('.lang-toggle')
    await page.locator('text=Satisfaction').first().waitFor()
    await settle(page)
    await shot(page, '21-overview-english')
    expect(PEOPLE.length).toBe(6)
  })
})
