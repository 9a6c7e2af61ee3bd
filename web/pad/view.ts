// The pad's face: draws the core's Screen (the Display port) and turns touches into keypad inputs
// (the Keys port). It holds no pad logic: what a press means is decided by the device core.
//
// Only what changed is redrawn: a countdown tick updates its number and ring, and leaves the keys
// alone, so a slow press that spans a tick is not lost.
import type { KeypadInput, Keys, Screen, StaffOnPad } from '../../device/index.ts'
import type { Locale } from '../../protocol/index.ts'
import { CHECK, DESK, DOTS, face, GEAR, OFFLINE, PAUSE, PERSON, stars } from './icons.ts'
import { levelLabel, otherLocale, reasonLabel, TEXTS, type PadTexts } from './texts.ts'

export interface PadStatus {
  deviceId: string
  online: boolean
  outboxDepth: number
  /** The server refused the stored secret (after accepting it before). */
  refused: boolean
}

export interface SetupForm {
  deviceId: string
  error?: string
  onSubmit(deviceId: string, secret: string): void
}

const ASKING = new Set(['prompting', 'reasons', 'thanks'])
/** How long the corner button is held to open the staff area (a citizen's tap does not). */
export const HOLD_MS = 700
const SHEET_IDLE_MS = 60_000

const esc = (s: string | number | null | undefined): string =>
  String(s ?? '').replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  )

export class PadView implements Keys {
  private screen: Screen | null = null
  private setup: SetupForm | null = null
  /** The citizen's language choice; back to the hall's language when the rating is over. */
  private override: Locale | null = null
  private stageSig = ''
  private countdownTotal = 0
  private listeners = new Set<(input: KeypadInput) => void>()
  private sheetOpen = false
  private sheetTimer: ReturnType<typeof setTimeout> | null = null
  private holdTimer: ReturnType<typeof setTimeout> | null = null

  private readonly el: {
    pad: HTMLElement
    hall: HTMLElement
    window: HTMLElement
    offline: HTMLElement
    full: HTMLElement
    clock: HTMLElement
    lang: HTMLButtonElement
    stage: HTMLElement
    corner: HTMLButtonElement
    sheet: HTMLElement
  }

  constructor(
    root: HTMLElement,
    private readonly status: () => PadStatus,
    private readonly onResetCredentials: () => void,
  ) {
    root.innerHTML = `<div class="pad" data-view="loading">
  <header class="bar">
    <div class="place"><span class="hall"></span><span class="window"></span></div>
    <div class="badges">
      <span class="badge badge-offline" hidden>${OFFLINE}<span></span></span>
      <span class="badge badge-full" hidden></span>
    </div>
    <time class="clock"></time>
    <button class="lang" type="button"></button>
  </header>
  <main class="stage"></main>
  <button class="corner" type="button">${DOTS}</button>
  <div class="sheet" hidden></div>
</div>`
    const q = <T extends HTMLElement>(sel: string) => root.querySelector(sel) as T
    this.el = {
      pad: q('.pad'),
      hall: q('.hall'),
      window: q('.window'),
      offline: q('.badge-offline'),
      full: q('.badge-full'),
      clock: q('.clock'),
      lang: q('.lang'),
      stage: q('.stage'),
      corner: q('.corner'),
      sheet: q('.sheet'),
    }
    this.bindEvents(root)
    this.tickClock()
    setInterval(() => this.tickClock(), 10_000)
    this.render()
  }

  /** The Keys port: the runtime listens to touches through this. */
  listen(handler: (input: KeypadInput) => void): () => void {
    this.listeners.add(handler)
    return () => this.listeners.delete(handler)
  }

  /** The language shown now. */
  get locale(): Locale {
    return this.override ?? this.screen?.locale ?? 'zh-CN'
  }

  /** The Display port. */
  show(screen: Screen): void {
    const before = this.screen?.view
    if (before && ASKING.has(before) && !ASKING.has(screen.view)) this.override = null
    if (screen.view !== before && (screen.view === 'prompting' || screen.view === 'reasons'))
      this.countdownTotal = screen.countdown ?? 0
    this.screen = screen
    this.setup = null
    this.render()
  }

  /** The first-use form: device id and secret, kept on the tablet afterwards. */
  showSetup(form: SetupForm): void {
    this.setup = form
    this.screen = null
    this.closeSheet()
    this.render()
  }

  /** A fatal condition (no IndexedDB): a message instead of a pad. */
  showFatal(message: string): void {
    this.setup = null
    this.screen = null
    this.el.pad.dataset.view = 'fatal'
    this.el.stage.innerHTML = `<section class="notice">${GEAR}<h1>${esc(message)}</h1></section>`
    this.stageSig = 'fatal'
  }

  // ---------------------------------------------------------------- drawing

  private get t(): PadTexts {
    return TEXTS[this.locale]
  }

  private render(): void {
    const s = this.screen
    const t = this.t
    const view = this.setup ? 'setup' : (s?.view ?? 'loading')
    this.el.pad.dataset.view = view
    this.el.pad.lang = this.locale === 'en' ? 'en' : 'zh-CN'
    this.el.hall.textContent = s?.hall ?? ''
    this.el.window.textContent = s?.window ?? ''
    this.el.offline.hidden = !s?.offline
    this.el.offline.lastElementChild!.textContent = t.offline
    this.el.full.hidden = !s?.outboxFull
    this.el.full.textContent = t.outboxFull
    this.el.lang.textContent = t.switchLanguage
    this.el.lang.hidden = view === 'setup'
    this.el.corner.hidden = !s
    this.el.corner.setAttribute('aria-label', t.staffCorner)

    const sig = JSON.stringify([view, this.locale, s && { ...s, countdown: null, offline: null }, this.setup])
    if (sig !== this.stageSig) {
      this.stageSig = sig
      this.el.stage.innerHTML = this.setup ? this.setupHtml(this.setup) : s ? this.stageHtml(s) : ''
      this.afterStage()
    }
    this.updateCountdown()
    if (this.sheetOpen) this.renderSheetStatus()
  }

  private stageHtml(s: Screen): string {
    const t = this.t
    switch (s.view) {
      case 'idle':
        return `<section class="card">${this.photo(s.staff)}
  <div class="who">
    <h1 class="name">${esc(s.staff?.name ?? s.staff?.staffNo)}</h1>
    <p class="staff-no"><span class="k">${t.staffNo}</span><b>${esc(s.staff?.staffNo)}</b></p>
    ${s.staff?.title ? `<p class="title">${esc(s.staff.title)}</p>` : ''}
    ${s.staff?.stars != null ? stars(s.staff.stars, t.stars) : ''}
    ${s.window ? `<p class="window-chip">${esc(s.window)}</p>` : ''}
  </div>
</section>
<p class="hint">${t.idleHint}</p>`
      case 'prompting':
        return `<section class="ask">
  ${this.mini(s.staff, s.window)}
  <div class="ask-title"><h1>${t.promptTitle}</h1>${this.transaction(s)}</div>
  ${this.ring()}
</section>
<section class="keys keys-${s.keys.length}">${s.keys
          .map(
            (k) => `<button type="button" class="key lv${k.level} ${k.class}" data-key="${k.key}">
  ${face(k.level)}<span class="label">${esc(this.locale === s.locale ? k.label : levelLabel(k.level, this.locale))}</span>
</button>`,
          )
          .join('')}</section>`
      case 'reasons': {
        const n = s.reasons?.length ?? 0
        return `<section class="ask">
  <div class="ask-title"><h1>${t.reasonsTitle}</h1><p class="sub">${t.reasonsHint}</p></div>
  ${this.ring()}
</section>
<section class="reasons reasons-${n > 9 ? 'many' : n > 6 ? 'some' : 'few'}">${(s.reasons ?? [])
          .map(
            (r) =>
              `<button type="button" class="reason" data-reason="${esc(r.code)}">${esc(
                this.locale === s.locale ? r.label : reasonLabel(r.code, r.label, this.locale),
              )}</button>`,
          )
          .join('')}</section>`
      }
      case 'thanks':
        return `<section class="notice thanks">${CHECK}<h1>${t.thanksTitle}</h1><p>${t.thanksText}</p></section>`
      case 'paused':
        return `<section class="notice paused">${PAUSE}<h1>${t.pausedTitle}</h1><p>${t.pausedText}</p>${
          s.staff ? `<p class="small">${esc(s.window)} · ${esc(s.staff.name ?? s.staff.staffNo)}</p>` : ''
        }</section>`
      case 'no_staff':
        return `<section class="notice nostaff">${DESK}<h1>${t.noStaffTitle}</h1><p>${t.noStaffText}</p></section>`
      case 'unconfigured': {
        const connecting = s.offline && !s.hall
        return `<section class="notice unconfigured">${GEAR}<h1>${connecting ? t.connectingTitle : t.unconfiguredTitle}</h1>
  <p>${connecting ? t.connectingText : t.unconfiguredText}</p>
  <p class="small">${t.deviceId}：${esc(this.status().deviceId)}</p></section>`
      }
    }
  }

  private setupHtml(f: SetupForm): string {
    const t = this.t
    return `<form class="setup" autocomplete="off" novalidate>
  <h1>${t.setupTitle}</h1>
  <p>${t.setupText}</p>
  <label>${t.deviceId}<input name="device" value="${esc(f.deviceId)}" autocapitalize="off" spellcheck="false"></label>
  <label>${t.secret}<input name="secret" type="password" autocomplete="off"></label>
  <p class="error" role="alert">${esc(f.error)}</p>
  <button type="submit">${t.connect}</button>
</form>`
  }

  private photo(staff: StaffOnPad | null): string {
    return `<div class="photo">${
      staff?.photoUrl ? `<img src="${esc(staff.photoUrl)}" alt="${esc(staff.name)}">` : PERSON
    }</div>`
  }

  private mini(staff: StaffOnPad | null, window: string | null): string {
    const t = this.t
    return `<div class="mini">${this.photo(staff)}<div>
  <p class="name">${esc(staff?.name ?? staff?.staffNo ?? window)}</p>
  ${staff ? `<p class="staff-no">${t.staffNo} <b>${esc(staff.staffNo)}</b></p>` : ''}
  ${staff?.stars != null ? stars(staff.stars, t.stars) : ''}
</div></div>`
  }

  private transaction(s: Screen): string {
    const tx = s.transaction
    if (!tx || (!tx.ticket && !tx.serviceName)) return ''
    const ticket = tx.ticket
      ? this.locale === 'en'
        ? `${this.t.ticket} ${esc(tx.ticket)}`
        : `${esc(tx.ticket)}${this.t.ticket}`
      : ''
    return `<p class="sub">${[ticket, esc(tx.serviceName)].filter(Boolean).join(' · ')}</p>`
  }

  private ring(): string {
    return `<div class="ring" aria-live="off"><svg viewBox="0 0 100 100" aria-hidden="true">
  <circle cx="50" cy="50" r="44" class="track"/><circle cx="50" cy="50" r="44" class="left" pathLength="100"/></svg>
  <span class="count"></span></div>`
  }

  private updateCountdown(): void {
    const s = this.screen
    const count = this.el.stage.querySelector<HTMLElement>('.ring .count')
    if (!s || !count || s.countdown === null) return
    count.textContent = String(s.countdown)
    const total = Math.max(this.countdownTotal, s.countdown, 1)
    const left = this.el.stage.querySelector<SVGCircleElement>('.ring .left')!
    left.style.strokeDasharray = `${(100 * s.countdown) / total} 100`
    this.el.stage.querySelector('.ring')!.classList.toggle('low', s.countdown <= 3)
  }

  private afterStage(): void {
    // A photo that does not load shows the stand-in, not a broken image.
    this.el.stage
      .querySelectorAll('.photo img')
      .forEach((img) =>
        img.addEventListener('error', () => (img.parentElement!.innerHTML = PERSON), { once: true }),
      )
    const secret = this.el.stage.querySelector<HTMLInputElement>('.setup input[name=secret]')
    if (secret)
      (this.setup?.deviceId ? secret : this.el.stage.querySelector<HTMLInputElement>('input'))!.focus()
  }

  private tickClock(): void {
    const d = new Date()
    this.el.clock.textContent = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
  }

  // ---------------------------------------------------------------- input

  private emit(input: KeypadInput): void {
    for (const l of this.listeners) l(input)
  }

  private bindEvents(root: HTMLElement): void {
    root.addEventListener('click', (ev) => {
      const target = (ev.target as Element).closest<HTMLElement>(
        '[data-key],[data-reason],[data-staff],[data-sheet-close],[data-reset],.lang',
      )
      if (!target) return
      if (target.dataset.key) {
        target.classList.add('pressed')
        this.emit({ type: 'key', key: Number(target.dataset.key) })
      } else if (target.dataset.reason) {
        target.classList.add('pressed')
        this.emit({ type: 'reasons', codes: [target.dataset.reason] })
      } else if (target.dataset.staff) {
        this.staffAction(target.dataset.staff)
      } else if (target.dataset.sheetClose !== undefined) {
        this.closeSheet()
      } else if (target.dataset.reset !== undefined) {
        if (confirm(this.t.resetConfirm)) {
          this.closeSheet()
          this.onResetCredentials()
        }
      } else if (target.classList.contains('lang')) {
        this.override =
          otherLocale(this.locale) === (this.screen?.locale ?? 'zh-CN') ? null : otherLocale(this.locale)
        this.render()
        if (this.sheetOpen) this.renderSheet()
      }
    })
    root.addEventListener('submit', (ev) => {
      ev.preventDefault()
      const form = ev.target as HTMLFormElement
      if (form.classList.contains('setup') && this.setup) {
        const data = new FormData(form)
        this.setup.onSubmit(String(data.get('device') ?? '').trim(), String(data.get('secret') ?? '').trim())
      } else if (form.classList.contains('signin')) {
        const staffNo = String(new FormData(form).get('staffNo') ?? '').trim()
        if (staffNo) {
          this.emit({ type: 'staffSignIn', staffNo })
          this.closeSheet()
        }
      }
    })
    // Digits from a USB keypad or a keyboard work like the keys on screen.
    document.addEventListener('keydown', (ev) => {
      if (!this.screen || this.sheetOpen || (ev.target as Element).closest?.('input,textarea')) return
      if (/^[1-5]$/.test(ev.key)) this.emit({ type: 'key', key: Number(ev.key) })
    })
    // The staff area opens on a press held a moment, so a citizen's passing tap does nothing.
    const corner = this.el.corner
    const cancel = () => {
      corner.classList.remove('holding')
      if (this.holdTimer) clearTimeout(this.holdTimer)
      this.holdTimer = null
    }
    corner.addEventListener('pointerdown', (ev) => {
      ev.preventDefault()
      cancel()
      corner.classList.add('holding')
      this.holdTimer = setTimeout(() => {
        cancel()
        this.openSheet()
      }, HOLD_MS)
    })
    for (const type of ['pointerup', 'pointerleave', 'pointercancel']) corner.addEventListener(type, cancel)
    corner.addEventListener('contextmenu', (ev) => ev.preventDefault())
    root.addEventListener('pointerdown', () => this.touchSheet())
  }

  private staffAction(action: string): void {
    if (action === 'signOut') this.emit({ type: 'staffSignOut' })
    else if (action === 'rate' || action === 'pause' || action === 'resume')
      this.emit({ type: 'key', key: action })
    this.closeSheet()
  }

  // ---------------------------------------------------------------- staff area

  private openSheet(): void {
    if (!this.screen) return
    this.sheetOpen = true
    this.renderSheet()
    this.el.sheet.hidden = false
    this.touchSheet()
  }

  private closeSheet(): void {
    this.sheetOpen = false
    this.el.sheet.hidden = true
    this.el.sheet.innerHTML = ''
    if (this.sheetTimer) clearTimeout(this.sheetTimer)
    this.sheetTimer = null
  }

  private touchSheet(): void {
    if (!this.sheetOpen) return
    if (this.sheetTimer) clearTimeout(this.sheetTimer)
    this.sheetTimer = setTimeout(() => this.closeSheet(), SHEET_IDLE_MS)
  }

  private renderSheet(): void {
    const t = this.t
    const paused = this.screen?.view === 'paused'
    this.el.sheet.innerHTML = `<div class="sheet-card" role="dialog" aria-label="${t.staffArea}">
  <header><h2>${t.staffArea}</h2><button type="button" class="close" data-sheet-close>${t.close}</button></header>
  <div class="actions">
    <button type="button" class="act primary" data-staff="rate">${t.rate}</button>
    <button type="button" class="act" data-staff="${paused ? 'resume' : 'pause'}">${paused ? t.resume : t.pause}</button>
    <button type="button" class="act signout" data-staff="signOut">${t.signOut}</button>
  </div>
  <form class="signin" autocomplete="off">
    <input name="staffNo" placeholder="${t.staffNoPlaceholder}" maxlength="32" autocapitalize="off" spellcheck="false" aria-label="${t.staffNo}">
    <button type="submit">${t.signIn}</button>
  </form>
  <p class="current"></p>
  <footer><span class="status"></span><button type="button" class="link" data-reset>${t.resetSecret}</button></footer>
</div>`
    this.renderSheetStatus()
  }

  private renderSheetStatus(): void {
    const t = this.t
    const s = this.screen
    const st = this.status()
    const staff = s?.staff
    const current = this.el.sheet.querySelector('.current')
    if (current)
      current.textContent = staff
        ? t.signedIn(`${staff.name ?? ''} ${t.staffNo} ${staff.staffNo}`.trim())
        : t.nobodySignedIn
    const signOut = this.el.sheet.querySelector<HTMLElement>('.signout')
    if (signOut) signOut.hidden = !staff
    const status = this.el.sheet.querySelector('.status')
    if (status)
      status.textContent = `${st.deviceId} · ${
        st.online ? t.online : st.refused ? t.secretRefused : t.offlineShort
      } · ${t.waiting(st.outboxDepth)}`
  }
}
