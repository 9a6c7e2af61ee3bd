// Integrity flags in headless Chromium against the real server: the overview counts the period's
// flags per kind and names the staff member, whose page lists the flagged rating when asked.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { RawPad } from '../helpers/raw-pad.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'
import { launchChromium, noChromium, screenshotDir } from '../web/chromium.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SHOTS = screenshotDir('dashboard')

describe.skipIf(noChromium)('integrity flags on the dashboard', () => {
  let s: TestServer
  let browser: Browser
  let pad: RawPad
  let staffNo: string
  const admin = { username: 'director', password: 'director password 1' }

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-web.mjs'), '--if-stale'], {
      cwd: ROOT,
      stdio: 'pipe',
    })
    s = await startServer({ SEQ_GAP_SCAN_MS: '0' })
    await s.app.users.create({ ...admin, role: 'admin' })
    const { pads } = await seedHall(s, { windows: 1 })
    staffNo = pads[0].staffNo
    pad = await RawPad.connect(s.mqttUrl, pads[0].id, pads[0].secret)
    const now = Date.now()
    const fast = pad.rating({
      staffNo,
      promptedAt: new Date(now - 100).toISOString(),
      pressedAt: new Date(now).toISOString(),
    })
    const normal = pad.rating({
      staffNo,
      promptedAt: new Date(now - 6000).toISOString(),
      pressedAt: new Date(now - 2000).toISOString(),
    })
    for (const r of [normal, fast]) await pad.send(r)
    await waitFor(() => pad.ackedIds().has(fast.id) && pad.ackedIds().has(normal.id), 'acks')
    browser = await launchChromium()
  }, 180_000)
  afterAll(async () => {
    await pad?.close()
    await browser?.close()
    await s?.close()
  })

  it('shows the counts on the overview and the flagged rating on the staff page', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    const page = await context.newPage()
    page.on('pageerror', (e) => console.error('page error:', e))
    await page.goto(
      `${s.httpUrl}/app/dashboard/#/login?next=${encodeURIComponent('/app/dashboard/#/overview')}`,
    )
    await page.fill('input[name=username]', admin.username)
    await page.fill('input[name=password]', admin.password)
    await page.click('button[type=submit]')

    const row = page.locator('[data-testid=flag-counts] tr[data-kind=fastPress]')
    await row.waitFor()
    expect(await row.textContent()).toBe('提示后秒按1')
    const who = page.locator('[data-testid=flag-staff] a')
    expect(await who.textContent()).toContain(staffNo)
    await page.locator('[data-testid=flag-counts]').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(SHOTS, '40-overview-flags.png') })

    // The staff page opens with only the flagged ratings: the fast press, marked.
    await who.click()
    const rows = page.locator('[data-testid=ratings-table] tbody tr')
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=ratings-table] tbody tr').length === 1,
    )
    expect(await rows.first().locator('[data-flag=fastPress]').count()).toBe(1)
    expect(await page.locator('input[name=onlyFlagged]').isChecked()).toBe(true)
    // Unticked: both ratings, the normal one without a mark.
    await page.locator('input[name=onlyFlagged]').uncheck()
    await page.waitForFunction(
      () => document.querySelectorAll('[data-testid=ratings-table] tbody tr').length === 2,
    )
    expect(await page.locator('[data-testid=ratings-table] [data-flag]').count()).toBe(1)
    await context.close()
  })
})
