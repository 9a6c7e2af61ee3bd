// The browser pad: a tablet at a service window runs the real pad firmware (device core through
// PadRuntime) with browser adapters: IndexedDB storage, MQTT over WebSocket to this server, Web
// Speech. Open /pad/<device id> (the server redirects here with ?device=<id>); the secret is typed
// once and kept in the tablet's IndexedDB with the outbox.
import {
  MqttTransport,
  openIndexedDbStorage,
  PadRuntime,
  padDatabaseName,
  randomId,
  SpeechAudio,
  SystemClock,
  isoFromMs,
  VOICE,
  type PadStorage,
} from '../../device/index.ts'
import { isDeviceId } from '../../protocol/index.ts'
import { TEXTS } from './texts.ts'
import { PadView } from './view.ts'
import './pad.css'

const FIRMWARE = 'web-pad/0.1.0'
/** Remembers the last device id, for a kiosk that opens the page without ?device=. */
const LAST_DEVICE = 'rating-pad.device'
/** Set once the server accepted this device's stored secret (cleared when a new one is typed). */
const ACCEPTED = (id: string) => `rating-pad.accepted.${id}`

const params = new URLSearchParams(location.search)
let pad: PadRuntime | null = null
let storage: PadStorage | null = null
let deviceId = params.get('device') ?? localStorage.getItem(LAST_DEVICE) ?? ''
/** The server refused the secret that it accepted before (rotated, or the pad revoked). */
let refused = false

const view = new PadView(
  document.getElementById('pad')!,
  () => ({
    deviceId,
    online: pad?.online ?? false,
    outboxDepth: pad?.coreState.outbox.depth ?? 0,
    refused,
  }),
  () => void resetCredentials(),
)

/** MQTT over WebSocket on this server (ws:// or wss:// like the page), or ?broker=<url>. */
function brokerUrl(): string {
  const given = params.get('broker')
  if (given) return given
  return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/mqtt`
}

/** True for a CONNACK refusal of the credentials (MQTT 3.1.1 codes 4 and 5, MQTT 5 codes 134 and 135). */
function isAuthRefusal(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code
  if (code === 4 || code === 5 || code === 134 || code === 135) return true
  return /not authori[sz]ed|bad user ?name or password/i.test(e instanceof Error ? e.message : String(e))
}

async function boot(): Promise<void> {
  if (!globalThis.indexedDB) return view.showFatal(TEXTS['zh-CN'].storageMissing)
  // Ask the browser not to evict the outbox under storage pressure (granted to installed/kiosk apps).
  void navigator.storage?.persist?.().catch(() => {})
  if (!isDeviceId(deviceId)) return askCredentials()
  storage = await openIndexedDbStorage(padDatabaseName(deviceId))
  const settings = await storage.settings.load()
  if (!settings.credentials) return askCredentials()
  await startPad()
}

function askCredentials(error?: string): void {
  view.showSetup({
    deviceId,
    error,
    onSubmit: (id, secret) => void saveCredentials(id, secret),
  })
}

async function saveCredentials(id: string, secret: string): Promise<void> {
  const t = TEXTS[view.locale]
  if (!isDeviceId(id)) return askCredentials(t.badDeviceId)
  if (!secret) return askCredentials(t.noSecret)
  if (id !== deviceId || !storage) {
    await storage?.close()
    storage = await openIndexedDbStorage(padDatabaseName(id))
  }
  deviceId = id
  await storage.settings.save({ credentials: { username: id, password: secret } })
  localStorage.setItem(LAST_DEVICE, id)
  localStorage.removeItem(ACCEPTED(id))
  history.replaceState(null, '', `?${new URLSearchParams({ ...Object.fromEntries(params), device: id })}`)
  await startPad()
}

async function startPad(): Promise<void> {
  const store = storage!
  const audio = new SpeechAudio({
    // The core speaks the hall's language; a citizen who switched language hears theirs.
    text: (voice, text) => (view.locale === currentLocale() ? text : VOICE[view.locale][voice]),
  })
  const accepted = () => localStorage.getItem(ACCEPTED(deviceId)) === '1'
  refused = false
  const runtime = await PadRuntime.open({
    deviceId,
    device: {
      firmware: FIRMWARE,
      model: 'browser',
      capabilities: { keys: [2, 3, 4, 5], display: true, voice: audio.available, reasons: true },
    },
    storage: store,
    transport: new MqttTransport(brokerUrl()),
    clock: new SystemClock(),
    newId: () => randomId(),
    toIso: isoFromMs,
    display: view,
    audio,
    keys: view,
    log: (level, message, detail) => {
      if (message.startsWith('connected')) {
        refused = false
        localStorage.setItem(ACCEPTED(deviceId), '1')
      } else if (message.startsWith('connect failed') && isAuthRefusal(detail)) {
        if (!accepted()) {
          // A secret typed wrong: ask again rather than retry for ever. The outbox stays.
          void stopPad().then(() => askCredentials(TEXTS[view.locale].refused))
        } else {
          // A secret that worked before: a server hiccup must not strand a kiosk on the setup form,
          // so keep retrying; the staff area says the secret was refused and offers to re-enter it.
          refused = true
        }
      }
      const out = level === 'error' ? console.error : level === 'warn' ? console.warn : console.info
      out(`[pad] ${message}`, detail ?? '')
    },
  })
  pad = runtime
  runtime.start()
  keepAwake()
}

function currentLocale() {
  return pad?.screen.locale ?? 'zh-CN'
}

async function stopPad(): Promise<void> {
  const p = pad
  pad = null
  await p?.stop()
}

async function resetCredentials(): Promise<void> {
  await stopPad()
  askCredentials()
}

/** Keeps a kiosk tablet's screen on while the page shows (needs https or localhost; else ignored). */
let awake = false
function keepAwake(): void {
  if (awake) return
  awake = true
  const wake = (navigator as Navigator & { wakeLock?: { request(type: 'screen'): Promise<unknown> } })
    .wakeLock
  if (!wake) return
  const request = () => void wake.request('screen').catch(() => {})
  request()
  document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && request())
}

// Kiosk hygiene: no long-press menu, no pinch zoom.
document.addEventListener('contextmenu', (ev) => ev.preventDefault())
document.addEventListener('gesturestart', (ev) => ev.preventDefault())

void boot().catch((e) => {
  console.error(e)
  view.showFatal(e instanceof Error ? e.message : String(e))
})
