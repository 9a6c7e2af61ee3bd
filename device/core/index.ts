// The pad core: pure transitions, no Node, browser, timer or Date. See core.ts.
export * from './types.ts'
export * from './core.ts'
export { VOICE } from './texts.ts'
