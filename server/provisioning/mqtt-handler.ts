// Provisioning over MQTT (as ThingsBoard's): a pad connects as $provision with the hall key as
// password, subscribes to rp/v1/provision/<its client id>/response, publishes a ProvisionRequest to
// .../request, and reads its device id and secret from the response, which only it may read.
import {
  parseClientTopic,
  ProvisionRequest,
  provisionTopics,
  SCHEMA_VERSION,
  type ProvisionResponse,
} from '../../protocol/index.ts'
import type { Bus } from '../broker/bus.ts'
import { describeIssues } from '../ingest/ingest.ts'
import type { PadConfigPublisher } from '../ingest/pad-config.ts'
import type { ProvisioningKeys } from './keys.ts'

export function provisionHandler(o: {
  keys: ProvisioningKeys
  bus: Bus
  padConfig: PadConfigPublisher
  log: { warn(obj: object, msg: string): void }
}) {
  return async (topic: string, payload: Buffer) => {
    const t = parseClientTopic(topic)
    if (!t || t.kind !== 'provision') return
    let answer: ProvisionResponse
    try {
      const r = ProvisionRequest.safeParse(JSON.parse(payload.toString('utf8')))
      if (!r.success) answer = { v: SCHEMA_VERSION, ok: false, error: describeIssues(r.error) }
      else {
        const { status: _, ...result } = await o.keys.provision(r.data)
        answer = result
        if (result.ok) await o.padConfig.publish([result.deviceId])
      }
    } catch (err) {
      answer = { v: SCHEMA_VERSION, ok: false, error: `cannot read the request: ${(err as Error).message}` }
    }
    if (!answer.ok) o.log.warn({ clientId: t.clientId, error: answer.error }, 'provisioning refused')
    await o.bus
      .publish(provisionTopics.response(t.clientId), JSON.stringify(answer), { qos: 1 })
      .catch(() => {})
  }
}
