// The typed map from channel to payload: what flows on each topic, in which direction, how.
import type { z } from 'zod'
import { Ack, Command, Config, PadEvent, Rating, Status } from './messages.ts'
import type { Channel } from './topics.ts'

export const CHANNELS = {
  rating: {
    schema: Rating,
    direction: 'up',
    qos: 1,
    retain: false,
    summary: 'A citizen rating from the pad',
  },
  event: {
    schema: PadEvent,
    direction: 'up',
    qos: 1,
    retain: false,
    summary: 'Something the pad saw that is not a rating',
  },
  status: {
    schema: Status,
    direction: 'up',
    qos: 1,
    retain: true,
    summary: 'Birth (retained) and Last-Will death',
  },
  ack: { schema: Ack, direction: 'down', qos: 1, retain: false, summary: 'What the server has committed' },
  config: {
    schema: Config,
    direction: 'down',
    qos: 1,
    retain: true,
    summary: 'The pad configuration, retained',
  },
  command: {
    schema: Command,
    direction: 'down',
    qos: 1,
    retain: false,
    summary: 'An instruction to the pad',
  },
} as const satisfies Record<
  Channel,
  { schema: z.ZodType; direction: 'up' | 'down'; qos: 0 | 1; retain: boolean; summary: string }
>

export type ChannelPayload = { [C in Channel]: z.infer<(typeof CHANNELS)[C]['schema']> }
