// Words the pad speaks. Citizens may not read, so every step of a rating has a voice prompt.
import type { Locale } from '../../protocol/index.ts'
import type { VoicePrompt } from './types.ts'

export const VOICE: Record<Locale, Record<VoicePrompt, string>> = {
  'zh-CN': {
    prompt: '您好，请您对我的工作给予评价',
    thanks: '谢谢',
    reasons: '请问您不满意的原因是什么？',
  },
  en: {
    prompt: 'Hello, please rate my service',
    thanks: 'Thank you',
    reasons: 'What were you not satisfied with?',
  },
}
