// The pad's face and keypad in a terminal, for a Node box (or a developer's shell): the Screen the
// core describes drawn as text lines, voice prompts printed, keys read from stdin.
import type { Screen } from '../../core/index.ts'
import type { Audio, Display, KeypadInput, Keys } from '../../ports/index.ts'

const T = {
  'zh-CN': {
    unconfigured: '未配置：等待服务器下发配置（窗口绑定）',
    no_staff: '暂无工作人员签到（按 s 签到）',
    idle: '欢迎办事 · 办理结束后请评价',
    paused: '暂停服务',
    prompting: '请您对我的工作给予评价',
    reasons: '请问您不满意的原因是什么？',
    thanks: '谢谢您的评价！',
    offline: '离线',
    outboxFull: '存储已满',
    staffNo: '工号',
    left: (n: number) => `还剩 ${n} 秒`,
    help: '1–5 评价 · r 请评价 · p 暂停/恢复 · s 签到 · o 签退 · q 退出',
    askStaffNo: '工号（回车确认，Esc 取消）：',
  },
  en: {
    unconfigured: 'Not configured: waiting for the server (window binding)',
    no_staff: 'Nobody signed in (press s to sign in)',
    idle: 'Welcome · please rate us when you are done',
    paused: 'Service paused',
    prompting: 'Please rate my service',
    reasons: 'What were you not satisfied with?',
    thanks: 'Thank you!',
    offline: 'offline',
    outboxFull: 'storage full',
    staffNo: 'Staff no.',
    left: (n: number) => `${n} s left`,
    help: '1–5 rate · r prompt · p pause/resume · s sign in · o sign out · q quit',
    askStaffNo: 'Staff no. (Enter to confirm, Esc to cancel): ',
  },
} as const

export function textsFor(locale: Screen['locale']) {
  return T[locale] ?? T['zh-CN']
}

const stars = (n: number | null) => (n === null ? '' : '★'.repeat(n) + '☆'.repeat(Math.max(0, 5 - n)))

/** The screen as text lines, the same information a tablet shows. */
export function renderScreen(s: Screen): string[] {
  const t = textsFor(s.locale)
  const rule = '─'.repeat(56)
  const badges = [s.offline ? `[${t.offline}]` : '', s.outboxFull ? `[${t.outboxFull}]` : '']
    .filter(Boolean)
    .join(' ')
  const where = [s.hall, s.window].filter(Boolean).join(' · ') || '—'
  const lines = ['═'.repeat(56), ` ${where}${badges ? `   ${badges}` : ''}`, rule]
  if (s.staff) {
    const card = [
      s.staff.name ?? '',
      `${t.staffNo} ${s.staff.staffNo}`,
      s.staff.title ?? '',
      stars(s.staff.stars),
    ].filter(Boolean)
    lines.push(` ${card.join('  ')}`, rule)
  }
  let head: string = t[s.view]
  if (s.transaction && (s.view === 'prompting' || s.view === 'reasons')) {
    const tx = [s.transaction.ticket, s.transaction.serviceName].filter(Boolean).join(' ')
    if (tx) head += ` · ${tx}`
  }
  if (s.countdown !== null) head += `   ${t.left(s.countdown)}`
  lines.push(` ${head}`)
  if (s.view === 'reasons' && s.reasons)
    lines.push(` ${s.reasons.map((r) => (r.key === null ? r.label : `[${r.key}] ${r.label}`)).join('  ')}`)
  else if (s.view === 'prompting') lines.push(` ${s.keys.map((k) => `[${k.key}] ${k.label}`).join('  ')}`)
  lines.push('═'.repeat(56), ` ${t.help}`)
  return lines
}

export interface TerminalOptions {
  input?: NodeJS.ReadStream
  output?: NodeJS.WriteStream
  /** Called for q, Ctrl-C and the end of input. */
  onQuit?: () => void
  /** What `p` sends: pause when serving, resume when paused. */
  isPaused?: () => boolean
}

/**
 * Display, Audio and Keys over a terminal. On a TTY the screen is redrawn in place with the last
 * few messages under it; otherwise (a pipe, a test) each screen is printed as a block and keys are
 * read from the input as text: `s` then a staff number and a newline signs in.
 */
export class Terminal implements Display, Audio, Keys {
  private readonly input: NodeJS.ReadStream
  private readonly output: NodeJS.WriteStream
  private readonly tty: boolean
  private last: Screen | null = null
  private readonly messages: string[] = []
  private typing: string | null = null

  constructor(private readonly o: TerminalOptions = {}) {
    this.input = o.input ?? process.stdin
    this.output = o.output ?? process.stdout
    this.tty = Boolean(this.output.isTTY && this.input.isTTY)
  }

  show(screen: Screen): void {
    this.last = screen
    this.draw()
  }

  say(_voice: string, text: string): void {
    this.note(`🔊 ${text}`)
  }

  /** A line under the screen (voice prompts, connection news). */
  note(text: string): void {
    if (!this.tty) {
      this.output.write(`${text}\n`)
      return
    }
    this.messages.push(text)
    if (this.messages.length > 5) this.messages.shift()
    this.draw()
  }

  private draw(): void {
    if (!this.last) return
    const lines = renderScreen(this.last)
    if (!this.tty) {
      this.output.write(`${lines.join('\n')}\n`)
      return
    }
    const t = textsFor(this.last.locale)
    const prompt = this.typing !== null ? [`${t.askStaffNo}${this.typing}`] : []
    this.output.write(`\x1b[2J\x1b[H${[...lines, '', ...this.messages, ...prompt].join('\n')}`)
  }

  listen(handler: (input: KeypadInput) => void): () => void {
    const onData = (chunk: Buffer | string) => {
      for (const ch of chunk.toString('utf8')) this.key(ch, handler)
    }
    const onEnd = () => this.o.onQuit?.()
    if (this.tty) this.input.setRawMode(true)
    this.input.on('data', onData)
    this.input.on('end', onEnd)
    this.input.resume()
    return () => {
      this.input.off('data', onData)
      this.input.off('end', onEnd)
      if (this.tty) this.input.setRawMode(false)
      this.input.pause()
    }
  }

  private key(ch: string, handler: (input: KeypadInput) => void): void {
    if (ch === '\u0003') return this.o.onQuit?.() // Ctrl-C in raw mode
    if (this.typing !== null) {
      if (ch === '\r' || ch === '\n') {
        const staffNo = this.typing.trim()
        if (!staffNo) return // a newline right after `s`
        this.typing = null
        handler({ type: 'staffSignIn', staffNo })
      } else if (ch === '\u001b') this.typing = null
      else if (ch === '\u007f' || ch === '\b') this.typing = this.typing.slice(0, -1)
      else if (ch >= ' ') this.typing += ch
      this.draw()
      return
    }
    switch (ch.toLowerCase()) {
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
        return handler({ type: 'key', key: Number(ch) })
      case 'r':
        return handler({ type: 'key', key: 'rate' })
      case 'p':
        return handler({ type: 'key', key: this.o.isPaused?.() ? 'resume' : 'pause' })
      case 's':
        this.typing = ''
        if (!this.tty) this.output.write(`${textsFor(this.last?.locale ?? 'zh-CN').askStaffNo}\n`)
        else this.draw()
        return
      case 'o':
        return handler({ type: 'staffSignOut' })
      case 'q':
        return this.o.onQuit?.()
    }
  }
}
