// Shared builders for the device tests.
import { defaultKeyLabels, DEFAULT_REASONS, type Command, type Config } from '../../protocol/index.ts'

export const T0 = Date.UTC(2025, 2, 3, 1, 0, 0) // 2025-03-03 09:00 in Beijing
export const S = 1000

export function makeConfig(over: Partial<Config> = {}): Config {
  return {
    v: 1,
    version: 1,
    hall: { id: 'hall-1', name: '市民中心', timeZone: 'Asia/Shanghai' },
    window: { id: 'w3', name: '3号窗口' },
    staff: { staffNo: 'A001', name: '张三', photoUrl: null, title: '科员', stars: 4 },
    scale: 5,
    keyLabels: defaultKeyLabels(5),
    reasons: DEFAULT_REASONS.map((r) => ({ ...r })),
    reasonsVersion: 1,
    timeouts: { promptSeconds: 10, reasonSeconds: 20, thanksSeconds: 3 },
    locale: 'zh-CN',
    voice: true,
    openingHours: [],
    ...over,
  }
}

let commandNo = 0
export function cmd(body: Record<string, unknown> & { type: Command['type'] }): Command {
  return {
    v: 1,
    id: `cmd-${String(++commandNo).padStart(6, '0')}`,
    issuedAt: '2025-03-03T01:00:00.000Z',
    ...body,
  } as Command
}

export const prompt = (id: string, extra: Record<string, unknown> = {}) =>
  cmd({ type: 'prompt', transaction: { id, ticket: 'A012', serviceName: '居住证办理', ...extra } })

export const DEVICE = {
  firmware: 'test-1.0',
  model: 'sim',
  capabilities: { keys: [5 as const], display: true, voice: true, reasons: true },
}
