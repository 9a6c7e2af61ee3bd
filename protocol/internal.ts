// Server-to-server notices on the same broker the pads use, under a topic level no pad can have
// (device ids start with a letter or digit, this one with "_"). Pads may neither publish nor
// subscribe here: the embedded broker and the broker ACLs give each pad only its own topics.
import { z } from 'zod'
import { TOPIC_ROOT } from './topics.ts'

export const SERVER_TOPIC_ROOT = `${TOPIC_ROOT}/_server`

export const serverTopics = {
  /** An instance committed ratings or pad events of these halls: live views read them again. */
  committed: `${SERVER_TOPIC_ROOT}/committed`,
}

export const CommittedNotice = z.object({
  v: z.literal(1),
  /** The instance that committed; it has already told its own live clients. */
  origin: z.string().min(1).max(64),
  hallIds: z.array(z.string().min(1).max(128)).min(1).max(10_000),
  at: z.iso.datetime(),
})
export type CommittedNotice = z.infer<typeof CommittedNotice>
