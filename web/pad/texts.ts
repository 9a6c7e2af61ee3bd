// Words on the pad's face. Chinese first; English for a citizen who taps the language key or a hall
// configured in English. Key labels and reasons come from the config (device core); these are the rest.
import { DEFAULT_REASONS, LEVEL_LABELS, type Level, type Locale } from '../../protocol/index.ts'

export interface PadTexts {
  staffNo: string
  stars: string
  idleHint: string
  promptTitle: string
  reasonsTitle: string
  reasonsHint: string
  thanksTitle: string
  thanksText: string
  pausedTitle: string
  pausedText: string
  noStaffTitle: string
  noStaffText: string
  unconfiguredTitle: string
  unconfiguredText: string
  connectingTitle: string
  connectingText: string
  offline: string
  outboxFull: string
  switchLanguage: string
  seconds: string
  ticket: string
  // staff area
  staffArea: string
  staffCorner: string
  close: string
  rate: string
  pause: string
  resume: string
  signIn: string
  signOut: string
  staffNoPlaceholder: string
  signedIn: (who: string) => string
  nobodySignedIn: string
  online: string
  offlineShort: string
  secretRefused: string
  waiting: (n: number) => string
  resetSecret: string
  resetConfirm: string
  // setup
  setupTitle: string
  setupText: string
  deviceId: string
  secret: string
  connect: string
  badDeviceId: string
  noSecret: string
  refused: string
  storageMissing: string
}

export const TEXTS: Record<Locale, PadTexts> = {
  'zh-CN': {
    staffNo: '工号',
    stars: '星级',
    idleHint: '办理完毕后，请您对我的服务进行评价',
    promptTitle: '请您对本次服务进行评价',
    reasonsTitle: '请问您不满意的原因是？',
    reasonsHint: '请点击一项',
    thanksTitle: '谢谢您的评价！',
    thanksText: '您的意见已记录，我们将不断改进',
    pausedTitle: '暂停服务',
    pausedText: '本窗口暂停服务，请到其他窗口办理',
    noStaffTitle: '暂无工作人员',
    noStaffText: '本窗口暂未受理业务，请稍候',
    unconfiguredTitle: '评价器尚未启用',
    unconfiguredText: '请管理员在后台为本设备绑定窗口',
    connectingTitle: '正在连接服务器…',
    connectingText: '连接后自动显示窗口与工作人员',
    offline: '网络已断开 · 评价保存在本机',
    outboxFull: '存储已满 · 暂停评价',
    switchLanguage: 'English',
    seconds: '秒',
    ticket: '号',
    staffArea: '工作人员操作',
    staffCorner: '工作人员（长按）',
    close: '关闭',
    rate: '请评价',
    pause: '暂停服务',
    resume: '恢复服务',
    signIn: '签到',
    signOut: '签退',
    staffNoPlaceholder: '输入工号',
    signedIn: (who) => `当前：${who}`,
    nobodySignedIn: '当前无人签到',
    online: '已连接',
    offlineShort: '未连接',
    secretRefused: '密钥被服务器拒绝',
    waiting: (n) => `待上传 ${n} 条`,
    resetSecret: '重新输入密钥',
    resetConfirm: '重新输入本设备的密钥？未上传的评价会保留。',
    setupTitle: '评价器设置',
    setupText: '首次使用请输入设备编号和设备密钥（在管理后台登记设备时显示），只需输入一次。',
    deviceId: '设备编号',
    secret: '设备密钥',
    connect: '保存并连接',
    badDeviceId: '设备编号只能包含字母、数字、点、下划线和横线',
    noSecret: '请输入设备密钥',
    refused: '服务器拒绝了设备编号或密钥，请检查后重新输入',
    storageMissing: '此浏览器不能在本机保存评价（IndexedDB 不可用），无法作为评价器使用',
  },
  en: {
    staffNo: 'Staff No.',
    stars: 'Stars',
    idleHint: 'When we are done, please rate my service',
    promptTitle: 'Please rate our service',
    reasonsTitle: 'What were you not satisfied with?',
    reasonsHint: 'Tap one',
    thanksTitle: 'Thank you!',
    thanksText: 'Your rating has been recorded',
    pausedTitle: 'Window closed',
    pausedText: 'This window is paused. Please go to another window',
    noStaffTitle: 'No staff at this window',
    noStaffText: 'Please wait a moment',
    unconfiguredTitle: 'Pad not set up yet',
    unconfiguredText: 'An administrator must assign this pad to a window',
    connectingTitle: 'Connecting to the server…',
    connectingText: 'The window and staff appear once connected',
    offline: 'Offline · ratings kept on this pad',
    outboxFull: 'Storage full · ratings paused',
    switchLanguage: '中文',
    seconds: 's',
    ticket: 'Ticket',
    staffArea: 'Staff',
    staffCorner: 'Staff (press and hold)',
    close: 'Close',
    rate: 'Ask for rating',
    pause: 'Pause window',
    resume: 'Resume',
    signIn: 'Sign in',
    signOut: 'Sign out',
    staffNoPlaceholder: 'Staff No.',
    signedIn: (who) => `Signed in: ${who}`,
    nobodySignedIn: 'Nobody signed in',
    online: 'Connected',
    offlineShort: 'Not connected',
    secretRefused: 'Secret refused by the server',
    waiting: (n) => `${n} to upload`,
    resetSecret: 'Enter the secret again',
    resetConfirm: 'Enter this pad’s secret again? Ratings not yet uploaded are kept.',
    setupTitle: 'Pad setup',
    setupText: 'Enter the device id and its secret (shown when the pad was registered). Needed once.',
    deviceId: 'Device id',
    secret: 'Secret',
    connect: 'Save and connect',
    badDeviceId: 'A device id has only letters, digits, dots, underscores and dashes',
    noSecret: 'Enter the secret',
    refused: 'The server refused this device id or secret; check and enter them again',
    storageMissing: 'This browser cannot keep ratings on the device (no IndexedDB); it cannot be a pad',
  },
}

/** The other language, for the citizen's language key. */
export function otherLocale(l: Locale): Locale {
  return l === 'en' ? 'zh-CN' : 'en'
}

/** A level's standard label in a language (used when the citizen switched away from the hall's). */
export function levelLabel(level: Level, locale: Locale): string {
  return locale === 'en' ? LEVEL_LABELS[level].en : LEVEL_LABELS[level].zh
}

const REASON_EN: Record<string, string> = {
  attitude: 'Attitude',
  efficiency: 'Too slow',
  skill: 'Competence',
  environment: 'Environment',
  policy: 'Policy',
  other: 'Other',
}
const REASON_ZH: Record<string, string> = Object.fromEntries(DEFAULT_REASONS.map((r) => [r.code, r.label]))

/** A standard reason's label in a language; a hall's own reasons keep their configured label. */
export function reasonLabel(code: string, configured: string, locale: Locale): string {
  return (locale === 'en' ? REASON_EN[code] : REASON_ZH[code]) ?? configured
}
