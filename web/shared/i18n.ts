// Chinese by default, English on request; the choice is kept in the browser (localStorage) and
// shared by the dashboard and the hall wall. Texts are [中文, English] pairs keyed by name.

export type Lang = 'zh' | 'en'
const KEY = 'rp.lang'
const listeners = new Set<() => void>()

function initial(): Lang {
  const fromUrl = new URLSearchParams(location.search).get('lang')
  if (fromUrl === 'en' || fromUrl === 'zh') return fromUrl
  try {
    return localStorage.getItem(KEY) === 'en' ? 'en' : 'zh'
  } catch {
    return 'zh'
  }
}

export const lang = { value: initial() }

export function setLang(l: Lang) {
  lang.value = l
  try {
    localStorage.setItem(KEY, l)
  } catch {}
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en'
  for (const f of listeners) f()
}

export function onLang(f: () => void): () => void {
  listeners.add(f)
  return () => listeners.delete(f)
}

export type Texts = Record<string, readonly [string, string]>

/** Makes a translator over a dictionary; {name} placeholders are filled from vars. */
export function translator<T extends Texts>(texts: T) {
  return (key: keyof T & string, vars: Record<string, string | number> = {}): string => {
    const pair = texts[key]
    let s = pair ? pair[lang.value === 'zh' ? 0 : 1] : key
    for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v))
    return s
  }
}

/** The five levels of the national 好差评 system, 5 = 非常满意. */
export const LEVELS: Record<number, readonly [string, string]> = {
  5: ['非常满意', 'Very satisfied'],
  4: ['满意', 'Satisfied'],
  3: ['基本满意', 'Fairly satisfied'],
  2: ['不满意', 'Dissatisfied'],
  1: ['非常不满意', 'Very dissatisfied'],
}
export const levelName = (l: number) => LEVELS[l]?.[lang.value === 'zh' ? 0 : 1] ?? String(l)
