// The Audio port over the Web Speech API (speechSynthesis), for a browser tablet.
// Speaks Chinese with a zh-CN voice when the browser has one and English with an English voice;
// where speech is missing (no API, no voice installed, blocked before the first touch) it stays
// silent: a voice prompt is a help, never a condition of taking a rating.
//
// Kiosk note: Chromium speaks only after the page had a user gesture. A tablet that reloads and
// is prompted by the queue system before anyone touched it is silent until the first touch,
// unless the kiosk starts Chromium with --autoplay-policy=no-user-gesture-required.
import type { VoicePrompt } from '../../core/index.ts'
import type { Audio } from '../../ports/index.ts'

export interface SpeechAudioOptions {
  /** The synthesizer; defaults to the page's `speechSynthesis`, null for none. */
  synth?: SpeechSynthesis | null
  /** Speaking rate, 0.1–10; a little slow by default, for elderly citizens. */
  rate?: number
  /** Lets the page speak another text than the core's (a citizen switched the language). */
  text?: (voice: VoicePrompt, text: string) => string
}

const HAN = /[\u3400-\u9fff]/

/** The language tag of a text: zh-CN when it has Chinese characters, else en-US. */
export function speechLang(text: string): 'zh-CN' | 'en-US' {
  return HAN.test(text) ? 'zh-CN' : 'en-US'
}

/** The best voice for a language: exact tag, then same language (zh-* / en-*), local voices first. */
export function pickVoice(
  voices: readonly SpeechSynthesisVoice[],
  lang: string,
): SpeechSynthesisVoice | null {
  const norm = (l: string) => l.replace('_', '-').toLowerCase()
  const want = norm(lang)
  const base = want.split('-')[0]
  const ranked = [...voices].sort((a, b) => Number(b.localService) - Number(a.localService))
  return (
    ranked.find((v) => norm(v.lang) === want) ??
    ranked.find((v) => norm(v.lang).split('-')[0] === base) ??
    null
  )
}

export class SpeechAudio implements Audio {
  private readonly synth: SpeechSynthesis | null
  private readonly rate: number
  private readonly text: (voice: VoicePrompt, text: string) => string

  constructor(options: SpeechAudioOptions = {}) {
    this.synth =
      options.synth !== undefined
        ? options.synth
        : typeof globalThis.speechSynthesis === 'object'
          ? globalThis.speechSynthesis
          : null
    this.rate = options.rate ?? 0.9
    this.text = options.text ?? ((_, t) => t)
    // Chromium loads its voices late; asking once makes them arrive before the first prompt.
    try {
      this.synth?.getVoices()
    } catch {
      // no voices: silent
    }
  }

  /** True when the browser has speech synthesis at all (it may still have no voice for a language). */
  get available(): boolean {
    return this.synth !== null
  }

  say(voice: VoicePrompt, text: string): void {
    const synth = this.synth
    if (!synth || typeof SpeechSynthesisUtterance !== 'function') return
    try {
      const words = this.text(voice, text)
      const lang = speechLang(words)
      const chosen = pickVoice(synth.getVoices(), lang)
      // Voices are loaded but none speaks this language: better silence than Chinese read as English.
      if (!chosen && synth.getVoices().length > 0) return
      const utterance = new SpeechSynthesisUtterance(words)
      utterance.lang = lang
      if (chosen) utterance.voice = chosen
      utterance.rate = this.rate
      synth.cancel() // a new prompt cuts the last one short rather than queueing behind it
      synth.speak(utterance)
    } catch {
      // speech refused (no user gesture yet, no engine): silent
    }
  }
}
