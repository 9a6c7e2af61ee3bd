// The five national levels (国办发〔2019〕51号) and how pads with fewer keys map onto them.

/** 5 = 非常满意 … 1 = 非常不满意. */
export const LEVELS = [5, 4, 3, 2, 1] as const
export type Level = (typeof LEVELS)[number]

export const LEVEL_LABELS: Record<Level, { zh: string; en: string }> = {
  5: { zh: '非常满意', en: 'Very satisfied' },
  4: { zh: '满意', en: 'Satisfied' },
  3: { zh: '基本满意', en: 'Fairly satisfied' },
  2: { zh: '不满意', en: 'Dissatisfied' },
  1: { zh: '非常不满意', en: 'Very dissatisfied' },
}

/** 好评 is the top three levels, 差评 the bottom two. */
export type RatingClass = 'good' | 'bad'
export function classOf(level: Level): RatingClass {
  return level >= 3 ? 'good' : 'bad'
}

/** Number of keys on the pad. */
export const SCALES = [2, 3, 4, 5] as const
export type Scale = (typeof SCALES)[number]

/**
 * Level for each key, keys numbered 1..n from the best (left) to the worst (right).
 * A 2-key pad (满意/不满意) maps onto 满意 and 不满意; 3 and 4 keys drop the extremes they lack.
 */
export const SCALE_LEVELS: Record<Scale, readonly Level[]> = {
  2: [4, 2],
  3: [4, 3, 2],
  4: [5, 4, 3, 2],
  5: [5, 4, 3, 2, 1],
}

export function levelForKey(scale: Scale, key: number): Level | undefined {
  return SCALE_LEVELS[scale][key - 1]
}

export function defaultKeyLabels(scale: Scale, locale: 'zh-CN' | 'en' = 'zh-CN'): string[] {
  return SCALE_LEVELS[scale].map((l) => (locale === 'en' ? LEVEL_LABELS[l].en : LEVEL_LABELS[l].zh))
}

/** Default 差评 reasons; a hall's list is configuration with its own version. */
export const DEFAULT_REASONS = [
  { code: 'attitude', label: '服务态度' },
  { code: 'efficiency', label: '办事效率' },
  { code: 'skill', label: '业务水平' },
  { code: 'environment', label: '服务环境' },
  { code: 'policy', label: '政策规定' },
  { code: 'other', label: '其他' },
] as const
