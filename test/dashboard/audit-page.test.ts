// 操作日志 in headless Chromium against the real server: an admin sees the writes the API lists,
// with passwords hidden, and filters them by a click on a person; a manager gets no access.
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServer, type TestServer } from '../helpers/server.ts'
import { launchChromium, noChromium, screenshotDir } from '../web/chromium.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SHOTS = screenshotDir('dashboard')

describe.skipIf(noChromium)('the audit log page', () => {
  let s: TestServer
  let browser: Browser
  const admin = { username: 'director', password: 'director password 1' }
  const manager = { username: 'wang', password: 'manager password 1' }

  beforeAll(async () => {
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-web.mjs'), '--if-stale'], {
      cwd: ROOT,
      stdio: 'pipe',
    })
    s = await startServer()
    await s.app.users.create({ ...admin, role: 'admin' })
    await s.api('POST', '/api/v1/halls', { id: 'hall-1', name: '政务服务大厅' })
    await s.api('POST', '/api/v1/windows', { id: 'w1', hallId: 'hall-1', name: '1号窗口' })
    await s.api('POST', '/api/v1/windows', { id: 'w2', hallId: 'hall-1', name: '2号窗口' })
    await s.api('POST', '/api/v1/users', { ...manager, role: 'manager', hallIds: ['hall-1'] })
    browser = await launchChromium()
  }, 180_000)
  afterAll(async () => {
    await browser?.close()
    await s?.close()
  })

  async function signedIn(user: { username: string; password: string }, path: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: 'zh-CN' })
    const page = await context.newPage()
    page.on('pageerror', (e) => console.error('page error:', e))
    await page.goto(
      `${s.httpUrl}/app/dashboard/#/login?next=${encodeURIComponent(`/app/dashboard/#${path}`)}`,
    )
    await page.fill('input[name=username]', user.username)
    await page.fill('input[name=password]', user.password)
    await page.click('button[type=submit]')
    return page
  }

  it('lists the writes newest first, hides passwords, and filters by a click on a person', async () => {
    const page = await signedIn(admin, '/admin/audit')
    const rows = page.getByTestId('audit').locator('tbody tr')
    await rows.first().waitFor()
    const api = (await s.api('GET', '/api/v1/audit')).body.items as { id: string; actorId: string }[]
    expect(api.length).toBe(4)
    expect(await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-entry')))).toEqual(
      api.map((e) => e.id),
    )
    const text = await page.getByTestId('audit').textContent()
    expect(text).toContain('/api/v1/users')
    expect(text).toContain('[redacted]')
    expect(text).not.toContain(manager.password)
    await page.screenshot({ path: join(SHOTS, '30-admin-audit.png'), fullPage: true })

    // A window's own entries: a click on its id.
    await page
      .locator('tbody tr', { hasText: '/api/v1/windows' })
      .first()
      .locator('a', { hasText: 'w2' })
      .click()
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit] tbody tr').length === 1)
    expect(await page.locator('input[name=targetId]').inputValue()).toBe('w2')
    // Cleared, then by method through the form.
    await page.click('text=清除条件')
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=audit] tbody tr').length === 4)
    await page.selectOption('select[name=method]', 'PATCH')
    await page.click('text=查询')
    await page.locator('text=没有符合条件的操作记录').waitFor()
  })

  it('is closed to a manager', async () => {
    // Made directly, so no first-sign-in password change stands in the way.
    const li = { username: 'li', password: 'manager password 2' }
    await s.app.users.create({ ...li, role: 'manager', hallIds: ['hall-1'] })
    const page = await signedIn(li, '/admin/audit')
    await page.locator('.no-access').waitFor()
    expect(await page.locator('.sidebar a[href^="#/admin/audit"]').count()).toBe(0)
  })
})
