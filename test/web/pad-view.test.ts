// The pad's face on its own in Chromium at 1024×600: screens made by the real core from configs a
// hall may have (long names, no photo, 4 custom keys, 12 reasons, both badges), checked to fit the
// screen with nothing scrolled or cut off, and that touches come out of the Keys port.
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, screenOf, type Input, type Screen } from '../../device/core/index.ts'
import type { Config } from '../../protocol/index.ts'
import { DEVICE, makeConfig, prompt, T0 } from '../device/helpers.ts'
import { launchChromium, noChromium, screenshotDir } from './chromium.ts'

const ORIGIN = 'http://pad-view.test'
const ENTRY = fileURLToPath(new URL('./fixtures/view-entry.ts', import.meta.url))
const SHOTS = screenshotDir('pad-view')

async function bundleView(): Promise<{ js: string; css: string }> {
  const { build } = await import('vite')
  const out = await build({
    configFile: false,
    logLevel: 'silent',
    build: { write: false, minify: false, lib: { entry: ENTRY, formats: ['iife'], name: 'PadFace' } },
  })
  const result = Array.isArray(out) ? out[0] : out
  if (!('output' in result)) throw new Error('vite build did not return its output')
  const js = result.output.find((o) => o.type === 'chunk')!
  const css = result.output.find((o) => o.type === 'asset' && o.fileName.endsWith('.css'))
  return { js: js.type === 'chunk' ? js.code : '', css: css?.type === 'asset' ? String(css.source) : '' }
}

type Body<T> = T extends unknown ? Omit<T, 'now'> : never
let ids = 0
const core = createCore({
  newId: () => `view-${String(++ids).padStart(6, '0')}`,
  toIso: (ms) => new Date(ms).toISOString(),
  device: DEVICE,
})

/** The screen the real core shows for this config after these inputs. */
function screen(config: Config | null, ...inputs: Body<Input>[]): Screen {
  let s = core.init({ now: T0 })
  let now = T0
  const feed = (i: Body<Input>) => (s = core.step(s, { ...i, now: (now += 100) } as Input).state)
  feed({ type: 'connection', up: true, connectCount: 1 })
  if (config) feed({ type: 'config', config })
  for (const i of inputs) feed(i)
  return screenOf(s)
}

const LONG = makeConfig({
  hall: {
    id: 'h',
    name: '某某市某某区政务服务中心第二办事大厅（不动产登记专区）',
    timeZone: 'Asia/Shanghai',
  },
  window: { id: 'w', name: '不动产登记综合受理12号窗口' },
  staff: { staffNo: 'BDC-2025-00017', name: '欧阳娜娜', photoUrl: null, title: null, stars: null },
})
const FOUR = makeConfig({ scale: 4, keyLabels: ['很满意', '满意', '一般', '不满意'] })
const TWELVE = makeConfig({
  reasons: [
    '服务态度生硬',
    '办理时间太长',
    '业务不熟练',
    '材料要求反复',
    '排队时间过长',
    '环境嘈杂拥挤',
    '政策解释不清',
    '多次跑腿',
    '系统故障',
    '收费问题',
    '服务不规范',
    '其他原因',
  ].map((label, i) => ({ code: `r${i + 1}`, label })),
})

describe.skipIf(noChromium)('pad face in Chromium (1024×600)', () => {
  let browser: Browser
  let page: Page

  beforeAll(async () => {
    const { js, css } = await bundleView()
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1024, height: 600 } })
    const html = `<!doctype html><html lang="zh-CN"><meta charset="utf-8"><style>${css}</style>
<body><div id="pad"></div><script>${js}</script><script>
window.inputs = [];
window.view = new PadFace.PadView(document.getElementById('pad'),
  () => ({ deviceId: 'pad-view-1', online: true, outboxDepth: 3, refused: false }), () => {});
window.view.listen((i) => window.inputs.push(i));
</script></body></html>`
    await page.route(`${ORIGIN}/**`, (route) => route.fulfill({ contentType: 'text/html', body: html }))
    await page.goto(`${ORIGIN}/`)
  })

  afterAll(async () => {
    await browser?.close()
  })

  async function show(s: Screen, name: string): Promise<void> {
    await page.evaluate((s) => (globalThis as any).view.show(s), s)
    await page.screenshot({ path: join(SHOTS, `${name}.png`) })
  }

  /** Everything visible lies inside the 1024×600 screen and the page does not scroll. */
  async function expectFits(): Promise<void> {
    const out = await page.evaluate(() => {
      const bad: string[] = []
      const doc = document.scrollingElement!
      if (doc.scrollHeight > innerHeight || doc.scrollWidth > innerWidth)
        bad.push(`page scrolls: ${doc.scrollWidth}×${doc.scrollHeight}`)
      for (const el of Array.from(document.querySelectorAll<HTMLElement>('.pad *'))) {
        const r = el.getBoundingClientRect()
        if (r.width === 0 || r.height === 0 || el.closest('[hidden]')) continue
        // Text cut short with an ellipsis is allowed; text running out of its box is not. Tall CJK
        // glyphs stick out of a tight line-height a little, which is not a fault.
        const clipped = getComputedStyle(el).overflow === 'hidden'
        const wide = el.scrollWidth > el.clientWidth + 1
        const tall = el.scrollHeight > el.clientHeight * 1.2 + 1
        if (!clipped && el.children.length === 0 && el.clientWidth > 0 && (wide || tall))
          bad.push(`text overflows: ${el.className || el.tagName} "${el.textContent}"`)
        if (r.right > innerWidth + 1 || r.bottom > innerHeight + 1 || r.left < -1 || r.top < -1)
          bad.push(`outside the screen: ${el.className || el.tagName} ${JSON.stringify(r)}`)
      }
      return bad
    })
    expect(out).toEqual([])
  }

  it('fits long names, no photo and no stars, with both badges, on the staff card', async () => {
    await show({ ...screen(LONG), offline: true, outboxFull: true }, 'idle-long-badges')
    expect(await page.isVisible('.badge-offline')).toBe(true)
    expect(await page.textContent('.badge-full')).toBe('存储已满 · 暂停评价')
    expect(await page.isVisible('.photo svg.person')).toBe(true)
    expect(await page.locator('.who .stars').count()).toBe(0)
    await expectFits()
  })

  it('fits every scale, custom labels and a long service name while prompting', async () => {
    const tx = { ticket: 'B1024', serviceName: '不动产登记（二手房买卖转移登记及抵押权首次登记合并办理）' }
    for (const config of [
      makeConfig({ scale: 2, keyLabels: ['满意', '不满意'] }),
      FOUR,
      makeConfig(),
      LONG,
    ]) {
      await show(
        screen(config, { type: 'command', command: prompt(`tx-${++ids}`, tx) }),
        `prompting-${config.scale}`,
      )
      expect(await page.locator('.key').count()).toBe(config.scale)
      await expectFits()
    }
    expect(await page.locator('.key .label').allTextContents()).toEqual(LONG.keyLabels)
  })

  it('fits twelve reasons', async () => {
    await show(
      screen(TWELVE, { type: 'command', command: prompt('tx-12') }, { type: 'key', key: 5 }),
      'reasons-12',
    )
    expect(await page.locator('.reason').count()).toBe(12)
    await expectFits()
  })

  it('fits the notices in both languages', async () => {
    const en = makeConfig({ locale: 'en', keyLabels: ['Very good', 'Good', 'OK', 'Bad', 'Very bad'] })
    const views: [string, Screen][] = [
      ['thanks-en', screen(en, { type: 'command', command: prompt('tx-t') }, { type: 'key', key: 1 })],
      ['paused-en', screen(en, { type: 'key', key: 'pause' })],
      ['no-staff-en', screen(makeConfig({ locale: 'en', staff: null }))],
      ['connecting', { ...screen(null), offline: true }],
      ['no-staff', screen(makeConfig({ staff: null }))],
    ]
    for (const [name, s] of views) {
      await show(s, name)
      await expectFits()
    }
    expect(await page.textContent('.notice h1')).toBe('暂无工作人员')
  })

  it('sends touches to the Keys port and keeps a key in place while the countdown ticks', async () => {
    const config = makeConfig()
    const asked = screen(config, { type: 'command', command: prompt('tx-keys') })
    await show(asked, 'countdown-10')
    const key = await page.$('.key[data-key="3"]')
    await show({ ...asked, countdown: 9 }, 'countdown-9')
    expect(await page.textContent('.ring .count')).toBe('9')
    // The same element: a press that spans a tick is not lost to a redraw.
    expect(await key!.evaluate((el) => el.isConnected)).toBe(true)
    await key!.click()
    await page.keyboard.press('4')
    await show(
      screen(config, { type: 'command', command: prompt('tx-r') }, { type: 'key', key: 4 }),
      'reasons',
    )
    await page.click('.reason[data-reason="skill"]')
    expect(await page.evaluate(() => (globalThis as any).inputs)).toEqual([
      { type: 'key', key: 3 },
      { type: 'key', key: 4 },
      { type: 'reasons', codes: ['skill'] },
    ])
  })

  it('opens the staff area only on a held press, and its keys are staff keys', async () => {
    await show(screen(makeConfig()), 'idle')
    await page.evaluate(() => ((globalThis as any).inputs.length = 0))
    await page.click('.corner') // a citizen's tap
    await page.waitForTimeout(900)
    expect(await page.isVisible('.sheet')).toBe(false)
    await page.locator('.corner').click({ delay: 900 })
    await page.waitForSelector('.sheet-card')
    expect(await page.textContent('.sheet .status')).toBe('pad-view-1 · 已连接 · 待上传 3 条')
    expect(await page.textContent('.sheet .current')).toBe('当前：张三 工号 A001')
    await page.screenshot({ path: join(SHOTS, 'staff-area.png') })
    await expectFits()
    await page.click('[data-staff="pause"]')
    expect(await page.isVisible('.sheet')).toBe(false)
    await page.locator('.corner').click({ delay: 900 })
    await page.fill('.signin input', ' B007 ')
    await page.click('.signin button')
    expect(await page.evaluate(() => (globalThis as any).inputs)).toEqual([
      { type: 'key', key: 'pause' },
      { type: 'staffSignIn', staffNo: 'B007' },
    ])
  })
})
