// Inline SVG drawings for the pad's face: no icon font or emoji font is needed on the tablet.
import type { Level } from '../../protocol/index.ts'

const MOUTH: Record<Level, string> = {
  5: 'M27 57 Q50 86 73 57 Z',
  4: 'M30 60 Q50 78 70 60',
  3: 'M33 64 Q50 70 67 64',
  2: 'M32 72 Q50 58 68 72',
  1: 'M28 76 Q50 50 72 76',
}

/** A face for a rating level, drawn in currentColor. */
export function face(level: Level): string {
  const filled = level === 5 ? ' fill="currentColor"' : ' fill="none"'
  const brows =
    level === 1 ? '<path d="M26 30 L42 36 M74 30 L58 36" stroke-width="5" stroke-linecap="round"/>' : ''
  return `<svg class="face" viewBox="0 0 100 100" aria-hidden="true" stroke="currentColor" fill="none">
  <circle cx="50" cy="50" r="44" stroke-width="6"/>
  <circle cx="36" cy="42" r="6" fill="currentColor" stroke="none"/>
  <circle cx="64" cy="42" r="6" fill="currentColor" stroke="none"/>
  ${brows}<path d="${MOUTH[level]}" stroke-width="6" stroke-linecap="round" stroke-linejoin="round"${filled}/>
</svg>`
}

const STAR = 'M12 2.5l2.9 6.1 6.6.8-4.9 4.6 1.3 6.6L12 17.3l-5.9 3.3 1.3-6.6-4.9-4.6 6.6-.8z'

/** 星级: `stars` filled of five. */
export function stars(n: number, label: string): string {
  let out = `<span class="stars" role="img" aria-label="${label} ${n}/5">`
  for (let i = 1; i <= 5; i++)
    out += `<svg viewBox="0 0 24 24" class="${i <= n ? 'on' : 'off'}" aria-hidden="true"><path d="${STAR}"/></svg>`
  return out + '</span>'
}

/** Stand-in for a staff photo: a bust on a soft background. */
export const PERSON = `<svg class="person" viewBox="0 0 120 150" aria-hidden="true">
  <rect width="120" height="150" fill="#dfe8f3"/>
  <circle cx="60" cy="58" r="27" fill="#9fb3cc"/>
  <path d="M14 150 Q16 96 60 94 Q104 96 106 150 Z" fill="#9fb3cc"/>
</svg>`

export const CHECK = `<svg class="big-icon" viewBox="0 0 100 100" aria-hidden="true">
  <circle cx="50" cy="50" r="46" fill="currentColor"/>
  <path d="M28 52 L44 67 L73 36" fill="none" stroke="#fff" stroke-width="9" stroke-linecap="round" stroke-linejoin="round"/>
</svg>`

export const PAUSE = `<svg class="big-icon" viewBox="0 0 100 100" aria-hidden="true">
  <circle cx="50" cy="50" r="46" fill="currentColor"/>
  <rect x="34" y="28" width="11" height="44" rx="3" fill="#fff"/><rect x="55" y="28" width="11" height="44" rx="3" fill="#fff"/>
</svg>`

export const DESK = `<svg class="big-icon" viewBox="0 0 100 100" aria-hidden="true">
  <circle cx="50" cy="50" r="46" fill="currentColor"/>
  <circle cx="50" cy="38" r="12" fill="#fff"/><path d="M28 72 Q30 54 50 54 Q70 54 72 72 Z" fill="#fff"/>
  <path d="M22 22 L78 78" stroke="#fff" stroke-width="7" stroke-linecap="round"/>
</svg>`

export const GEAR = `<svg class="big-icon" viewBox="0 0 100 100" aria-hidden="true">
  <circle cx="50" cy="50" r="46" fill="currentColor"/>
  <circle cx="50" cy="50" r="15" fill="none" stroke="#fff" stroke-width="8"/>
  <path d="M50 18v12M50 70v12M18 50h12M70 50h12M27 27l8 8M65 65l8 8M27 73l8-8M65 35l8-8" stroke="#fff" stroke-width="8" stroke-linecap="round"/>
</svg>`

export const OFFLINE = `<svg class="badge-icon" viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2.4" stroke-linecap="round">
  <path d="M2 8.5a15 15 0 0 1 20 0M5.5 12.5a10 10 0 0 1 13 0M9 16.3a5 5 0 0 1 6 0"/><circle cx="12" cy="20" r="1.2" fill="currentColor"/><path d="M3 3l18 18"/>
</svg>`

export const DOTS = `<svg viewBox="0 0 24 24" aria-hidden="true" fill="currentColor"><circle cx="5" cy="12" r="2.2"/><circle cx="12" cy="12" r="2.2"/><circle cx="19" cy="12" r="2.2"/></svg>`
