// The browser pad end to end: the real server (embedded broker, MQTT over WebSocket, SQLite), the
// built web page in headless Chromium, the real device core in the page, the real IndexedDB.
// Screenshots of each view at 1024×600 go to test-results/pad/ (look at them after a design change);
// PAD_DEBUG=1 prints the page's console (the pad runtime's log).
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, BrowserContext, Page, WebSocketRoute } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { topics, type Command } from '../../protocol/index.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'
import { launchChromium, noChromium, screenshotDir } from './chromium.ts'

const ROOT = fileURLToPath(new URL('../..', import.meta.url))
const SHOTS = screenshotDir('pad')
const VIEWPORT = { width: 1024, height: 600 }

/** A drawn portrait as a data: URL (a staff photo as the registry would link it). */
const PHOTO = `data:image/svg+xml,${encodeURIComponent(
  `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 250 320"><rect width="250" height="320" fill="#2f5f9e"/>` +
    `<path d="M20 320 Q26 230 125 222 Q224 230 230 320 Z" fill="#1d2d44"/><path d="M104 222 L125 262 L146 222 Z" fill="#fff"/>` +
    `<rect x="106" y="180" width="38" height="46" fill="#f1c9a5"/><ellipse cx="125" cy="140" rx="54" ry="64" fill="#f6d3b3"/>` +
    `<path d="M70 132 Q72 70 125 68 Q180 70 181 132 Q170 96 125 98 Q82 96 70 132 Z" fill="#222"/>` +
    `<circle cx="104" cy="142" r="5" fill="#333"/><circle cx="146" cy="142" r="5" fill="#333"/>` +
    `<path d="M108 172 Q125 184 142 172" stroke="#a0522d" stroke-width="4" fill="none" stroke-linecap="round"/></svg>`,
)}`

let commandNo = 0
function promptCommand(transactionId: string, extra: Record<string, string> = {}): Command {
  return {
    v: 1,
    id: `web-cmd-${String(++commandNo).padStart(4, '0')}`,
    issuedAt: new Date().toISOString(),
    type: 'prompt',
    transaction: { id: transactionId, ...extra },
  }
}

describe.skipIf(noChromium)('browser pad page in Chromium', () => {
  let s: TestServer
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let pad: { id: string; secret: string; windowId: string }
  let hallId: string
  /** While true, the pad's WebSocket to /mqtt is refused: the tablet is offline. */
  let offline = false
  const sockets: WebSocketRoute[] = []

  beforeAll(async () => {
    // The page the server serves is the Vite build of web/ (npm install and npm start build it too).
    execFileSync(process.execPath, [join(ROOT, 'scripts/build-web.mjs'), '--if-stale'], {
      cwd: ROOT,
      stdio: 'pipe',
    })
    s = await startServer()
    const seeded = await seedHall(s, { windows: 2 })
    hallId = seeded.hallId
    pad = seeded.pads[0]
    const staff = await s.api('POST', '/api/v1/staff', {
      staffNo: 'A1024',
      hallId,
      name: '王晓梅',
      title: '综合受理岗',
      stars: 5,
      photoUrl: PHOTO,
    })
    expect(staff.status).toBe(201)
    expect(
      (await s.api('POST', `/api/v1/windows/${pad.windowId}/sign-in`, { staffNo: 'A1024' })).status,
    ).toBe(200)
    browser = await launchChromium()
    context = await browser.newContext({ viewport: VIEWPORT, locale: 'zh-CN' })
    // Every pad connection passes here, so the test can take the tablet off the network.
    await context.routeWebSocket(/\/mqtt$/, (ws) => {
      if (offline) return ws.close()
      sockets.push(ws)
      ws.connectToServer()
    })
    // What the pad says, as Web Speech would say it (headless Chromium has no voices to listen to).
    await context.addInitScript(() => {
      const w = window as unknown as { spoken: { text: string; lang: string }[] }
      w.spoken = []
      speechSynthesis.speak = (u: SpeechSynthesisUtterance) =>
        void w.spoken.push({ text: u.text, lang: u.lang })
    })
    page = await context.newPage()
    page.on('pageerror', (e) => console.error('page error:', e))
    page.on('console', (m) => process.env.PAD_DEBUG && console.log('page:', m.text()))
  })

  afterAll(async () => {
    await browser?.close()
    await s?.close()
  })

  const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) })
  const view = (v: string) => page.waitForSelector(`.pad[data-view="${v}"]`, { timeout: 15_000 })

  async function openStaffArea(): Promise<void> {
    // Held, not tapped: a citizen's passing tap on the corner does nothing.
    await page.locator('.corner').click({ delay: 900 })
    await page.waitForSelector('.sheet-card')
  }

  async function staffKey(action: 'rate' | 'pause' | 'resume' | 'signOut'): Promise<void> {
    await openStaffArea()
    await page.click(`[data-staff="${action}"]`)
  }

  const spoken = () =>
    page.evaluate(() => (window as unknown as { spoken: { text: string }[] }).spoken.map((u) => u.text))

  const ratingsOf = (where: Record<string, unknown> = {}) =>
    s.app.db.prisma.rating.findMany({ where: { deviceId: pad.id, ...where }, orderBy: { seq: 'asc' } })

  it('asks for the secret once, refuses a wrong one, then shows the staff card (亮身份)', async () => {
    await page.goto(`${s.httpUrl}/pad/${pad.id}`)
    expect(new URL(page.url()).pathname).toBe('/app/pad/')
    await view('setup')
    expect(await page.inputValue('input[name=device]')).toBe(pad.id)
    await shot('setup')

    await page.fill('input[name=secret]', 'not-the-secret')
    await page.click('.setup button[type=submit]')
    await page.waitForSelector('.setup .error:has-text("拒绝")')

    await page.fill('input[name=secret]', pad.secret)
    await page.click('.setup button[type=submit]')
    await view('idle')
    expect(await page.textContent('.who .name')).toBe('王晓梅')
    expect(await page.textContent('.who .staff-no b')).toBe('A1024')
    expect(await page.textContent('.window-chip')).toBe('1号窗口')
    expect(await page.textContent('.bar .window')).toBe('1号窗口')
    expect(await page.locator('.who .stars .on').count()).toBe(5)
    expect(await page.isVisible('.badge-offline')).toBe(false)
    await page.waitForFunction(() => (document.querySelector('.photo img') as HTMLImageElement)?.complete)
    await shot('idle')

    // Kept on the tablet: a reload goes straight to the pad.
    await page.reload()
    await view('idle')
    const status = await waitFor(async () => {
      const d = (await s.api('GET', `/api/v1/devices/${pad.id}`)).body.status
      return d.online && d.padState === 'idle' && d
    }, 'the pad online (its birth)')
    expect(status).toMatchObject({ firmware: 'web-pad/0.1.0', model: 'browser', staffNo: 'A1024' })
  })

  it('staff 请评价, the citizen presses 满意: thanks, and the rating is stored once', async () => {
    await openStaffArea()
    await shot('staff-area')
    await page.click('[data-staff="rate"]')
    await view('prompting')
    expect(await page.locator('.key .label').allTextContents()).toEqual([
      '非常满意',
      '满意',
      '基本满意',
      '不满意',
      '非常不满意',
    ])
    expect(Number(await page.textContent('.ring .count'))).toBeGreaterThan(5)
    expect(await spoken()).toContain('您好，请您对我的工作给予评价')
    await shot('prompting')

    // An elderly double tap: one rating, the second press is recorded as such.
    await page.locator('.key[data-key="2"]').dblclick()
    await view('thanks')
    await shot('thanks')
    expect((await spoken()).at(-1)).toBe('谢谢')
    const [rating] = await waitFor(async () => {
      const r = await ratingsOf()
      return r.length > 0 && r
    }, 'the rating in the database')
    expect(rating).toMatchObject({ level: 4, class: 'good', key: 2, scale: 5, staffNo: 'A1024' })
    expect(rating.transactionId).toMatch(/^pad-/)
    await new Promise((r) => setTimeout(r, 500))
    expect(await ratingsOf()).toHaveLength(1)
    await view('idle')
  })

  it('a 差评 asks why; the reason goes with the rating; a second press is not a second rating', async () => {
    await s.app.bus.publish(
      topics.command(pad.id),
      JSON.stringify(promptCommand('tx-web-2', { ticket: 'A012', serviceName: '居住证办理' })),
    )
    await view('prompting')
    expect(await page.textContent('.ask .sub')).toContain('A012')
    expect(await page.textContent('.ask .sub')).toContain('居住证办理')
    await page.click('.key[data-key="5"]')
    await view('reasons')
    expect(await page.locator('.reason').allTextContents()).toEqual([
      '服务态度',
      '办事效率',
      '业务水平',
      '服务环境',
      '政策规定',
      '其他',
    ])
    await shot('reasons')
    await page.click('.reason[data-reason="efficiency"]')
    await view('thanks')
    // The same citizen presses again (a USB keypad's 1 here): recorded as a second press only.
    await page.keyboard.press('1')

    const rating = await waitFor(
      async () => (await ratingsOf({ transactionId: 'tx-web-2' }))[0],
      'the 差评 in the database',
    )
    expect(rating).toMatchObject({ level: 1, class: 'bad', ticket: 'A012', staffNo: 'A1024' })
    expect(JSON.parse(rating.reasons!)).toEqual(['efficiency'])
    const second = await waitFor(
      () =>
        s.app.db.prisma.padEventRecord.findFirst({
          where: { deviceId: pad.id, type: 'secondPress', payload: { contains: rating.ratingId } },
        }),
      'the second press event',
    )
    expect(second.type).toBe('secondPress')
    expect(await ratingsOf({ transactionId: 'tx-web-2' })).toHaveLength(1)
    await view('idle')
  })

  it('暂停服务 from the staff area, sign-out and sign-in with a 工号', async () => {
    await staffKey('pause')
    await view('paused')
    await shot('paused')
    // A prompt while paused is refused: nobody is being served.
    await s.app.bus.publish(topics.command(pad.id), JSON.stringify(promptCommand('tx-web-paused')))
    await new Promise((r) => setTimeout(r, 300))
    expect(await page.getAttribute('.pad', 'data-view')).toBe('paused')
    await staffKey('resume')
    await view('idle')

    await staffKey('signOut')
    await view('no_staff')
    await shot('no-staff')
    await openStaffArea()
    await page.fill('.signin input', 'A1024')
    await page.click('.signin button')
    await view('idle')
    // The server takes the sign-in and sends the full card back.
    await page.waitForSelector('.who .name:has-text("王晓梅")')
    const w = await s.api('GET', `/api/v1/windows/${pad.windowId}`)
    expect(JSON.stringify(w.body)).toContain('A1024')
  })

  it('offline: the rating waits in IndexedDB across a reload and arrives once back online', async () => {
    offline = true
    for (const ws of sockets.splice(0)) await ws.close().catch(() => {})
    await page.waitForSelector('.badge-offline:not([hidden])')
    const before = (await ratingsOf()).length

    await staffKey('rate')
    await view('prompting')
    await page.click('.key[data-key="1"]')
    await view('thanks')
    await shot('offline-thanks')
    await view('idle')
    await shot('offline-idle')

    // The tablet reloads (or loses power) while offline: the rating is only in its IndexedDB.
    await page.reload()
    await view('idle')
    expect(await page.isVisible('.badge-offline')).toBe(true)
    await openStaffArea()
    expect(await page.textContent('.sheet .status')).toMatch(/待上传 [1-9]/)
    await page.click('[data-sheet-close]')
    expect(await ratingsOf()).toHaveLength(before)

    offline = false
    const rating = await waitFor(async () => {
      const r = await ratingsOf()
      return r.length > before && r[r.length - 1]
    }, 'the kept rating after reconnecting')
    expect(rating).toMatchObject({ level: 5, key: 1, replayed: true, staffNo: 'A1024' })
    await page.waitForSelector('.badge-offline', { state: 'hidden' })
    await page.waitForTimeout(500)
    expect(await ratingsOf()).toHaveLength(before + 1)
  })

  it('the citizen’s language key, an English hall, and 2 to 5 keys', async () => {
    // A citizen who reads English switches the language for this rating only.
    await s.app.bus.publish(topics.command(pad.id), JSON.stringify(promptCommand('tx-web-en5')))
    await view('prompting')
    await page.click('.lang')
    expect(await page.locator('.key .label').allTextContents()).toEqual([
      'Very satisfied',
      'Satisfied',
      'Fairly satisfied',
      'Dissatisfied',
      'Very dissatisfied',
    ])
    expect(await page.textContent('.ask h1')).toBe('Please rate our service')
    await shot('prompting-en-5')
    await page.click('.key[data-key="4"]')
    await view('reasons')
    expect(await page.locator('.reason').first().textContent()).toBe('Attitude')
    await shot('reasons-en')
    await page.click('.reason[data-reason="other"]')
    await view('thanks')
    // The citizen chose English, so the pad thanks them in English.
    expect((await spoken()).at(-1)).toBe('Thank you')
    // After the rating the pad is back in the hall's language for the next citizen.
    await view('idle')
    expect(await page.textContent('.lang')).toBe('English')
    expect(await page.textContent('.hint')).toBe('办理完毕后，请您对我的服务进行评价')

    // A hall configured in English (3 keys).
    expect((await s.api('PATCH', `/api/v1/halls/${hallId}`, { locale: 'en', scale: 3 })).status).toBe(200)
    await page.waitForSelector('.lang:has-text("中文")')
    expect(await page.textContent('.hint')).toBe('When we are done, please rate my service')
    await shot('idle-en')
    await s.app.bus.publish(topics.command(pad.id), JSON.stringify(promptCommand('tx-web-en3')))
    await view('prompting')
    expect(await page.locator('.key .label').allTextContents()).toEqual([
      'Satisfied',
      'Fairly satisfied',
      'Dissatisfied',
    ])
    await shot('prompting-en-3')
    await page.click('.lang')
    expect(await page.locator('.key .label').allTextContents()).toEqual(['满意', '基本满意', '不满意'])
    expect(await page.textContent('.ask h1')).toBe('请您对本次服务进行评价')
    await page.click('.key[data-key="1"]')
    await view('thanks')
    await view('idle')
    expect(await page.textContent('.lang')).toBe('中文')
    const r3 = await waitFor(
      async () => (await ratingsOf({ transactionId: 'tx-web-en3' }))[0],
      '3-key rating',
    )
    expect(r3).toMatchObject({ scale: 3, key: 1, level: 4 })

    expect((await s.api('PATCH', `/api/v1/halls/${hallId}`, { locale: 'zh-CN', scale: 2 })).status).toBe(200)
    await page.waitForSelector('.lang:has-text("English")')
    await s.app.bus.publish(topics.command(pad.id), JSON.stringify(promptCommand('tx-web-2keys')))
    await view('prompting')
    expect(await page.locator('.key .label').allTextContents()).toEqual(['满意', '不满意'])
    await shot('prompting-2')
    await page.click('.key[data-key="2"]')
    await view('reasons')
    await page.click('.reason[data-reason="attitude"]')
    await view('thanks')
    const r2 = await waitFor(
      async () => (await ratingsOf({ transactionId: 'tx-web-2keys' }))[0],
      '2-key rating',
    )
    expect(r2).toMatchObject({ scale: 2, key: 2, level: 2, class: 'bad' })
    expect(JSON.parse(r2.reasons!)).toEqual(['attitude'])
  })

  it('a rotated secret: the pad keeps its face and retries, and staff enter the new secret', async () => {
    await view('idle')
    const rotated = await s.api('POST', `/api/v1/devices/${pad.id}/rotate-secret`)
    expect(rotated.status).toBe(200)
    await page.waitForSelector('.badge-offline:not([hidden])')
    // A secret that worked before is not thrown away on a refusal: citizens still see the card.
    await page.waitForTimeout(1500)
    expect(await page.getAttribute('.pad', 'data-view')).toBe('idle')
    await openStaffArea()
    await page.waitForFunction(() => document.querySelector('.sheet .status')?.textContent?.includes('拒绝'))
    page.once('dialog', (d) => void d.accept())
    await page.click('[data-reset]')
    await view('setup')
    await page.fill('input[name=secret]', rotated.body.secret)
    await page.click('.setup button[type=submit]')
    await view('idle')
    await page.waitForSelector('.badge-offline', { state: 'hidden' })
  })

  it('shows a pad that is not bound to a window as unconfigured', async () => {
    const dev = await s.api('POST', '/api/v1/devices', { id: 'web-unbound', hallId })
    expect(dev.status).toBe(201)
    const other = await context.newPage()
    await other.goto(`${s.httpUrl}/pad/web-unbound`)
    await other.fill('input[name=secret]', dev.body.secret)
    await other.click('.setup button[type=submit]')
    await other.waitForSelector('.pad[data-view="unconfigured"] h1:has-text("尚未启用")')
    await other.screenshot({ path: join(SHOTS, 'unconfigured.png') })
    await other.close()
  })
})
