// Protocol v1: the contract between pads and server. Depends on zod only.
export * from './topics.ts'
export * from './scale.ts'
export * from './messages.ts'
export * from './channels.ts'
export * from './internal.ts'
