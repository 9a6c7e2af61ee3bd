// The HTTP auth and ACL endpoints an external broker calls (EMQX style) know the integrators'
// clients too: $provision with a hall key, $queue with its token (client id = token id), and the
// vendor topics of drivers' devices.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PROVISION_USERNAME, provisionTopics, QUEUE_USERNAME, queueTopics } from '../../protocol/index.ts'
import { seedHall, startServer, type TestServer } from '../helpers/server.ts'

let s: TestServer
const SECRET = 'broker-shared-secret'

beforeAll(async () => {
  s = await startServer({ BROKER_AUTH_SECRET: SECRET, DRIVERS: 'evaluator-mqtt,tb-gateway' })
  await seedHall(s, { windows: 1 })
})
afterAll(async () => s?.close())

const call = async (path: string, body: unknown) => {
  const res = await fetch(`${s.httpUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-broker-auth': SECRET },
    body: JSON.stringify(body),
  })
  return ((await res.json()) as { result: string }).result
}
const acl = (username: string, topic: string, action: 'publish' | 'subscribe', clientid?: string) =>
  call('/broker/acl', { username, topic, action, clientid })

describe('broker HTTP auth and ACL for integrators', () => {
  it('checks $provision keys and keeps each provisioning client to its own topics', async () => {
    const { key } = (await s.api('POST', '/api/v1/provisioning-keys', { hallId: 'hall-1', name: 'k' })).body
    expect(await call('/broker/auth', { username: PROVISION_USERNAME, password: key, clientid: 'SN1' })).toBe(
      'allow',
    )
    expect(
      await call('/broker/auth', { username: PROVISION_USERNAME, password: 'rpk_wrong', clientid: 'SN1' }),
    ).toBe('deny')
    expect(await acl(PROVISION_USERNAME, provisionTopics.request('SN1'), 'publish', 'SN1')).toBe('allow')
    expect(await acl(PROVISION_USERNAME, provisionTopics.response('SN1'), 'subscribe', 'SN1')).toBe('allow')
    expect(await acl(PROVISION_USERNAME, provisionTopics.response('SN1'), 'subscribe', 'SN2')).toBe('deny')
    expect(await acl(PROVISION_USERNAME, 'rp/v1/provision/+/response', 'subscribe', 'SN1')).toBe('deny')
  })

  it('checks $queue tokens against the client id', async () => {
    const t = await s.app.repos.tokens.create({ name: 'qms', role: 'manager', hallIds: ['hall-1'] })
    expect(await call('/broker/auth', { username: QUEUE_USERNAME, password: t.token, clientid: t.id })).toBe(
      'allow',
    )
    expect(
      await call('/broker/auth', { username: QUEUE_USERNAME, password: t.token, clientid: 'other' }),
    ).toBe('deny')
    expect(await acl(QUEUE_USERNAME, queueTopics.request(t.id), 'publish', t.id)).toBe('allow')
    expect(await acl(QUEUE_USERNAME, queueTopics.reply(t.id), 'subscribe', 'someone')).toBe('deny')
  })

  it('lets a driver’s device use its vendor topics and no one else’s', async () => {
    expect(await acl('ev-HW2024000123', 'evaluator/HW2024000123/up', 'publish')).toBe('allow')
    expect(await acl('ev-HW2024000123', 'evaluator/HW2024000123/down', 'subscribe')).toBe('allow')
    expect(await acl('ev-HW2024000123', 'evaluator/HW2024000999/up', 'publish')).toBe('deny')
    expect(await acl('gw-hall1', 'tb/gw-hall1/v1/gateway/telemetry', 'publish')).toBe('allow')
    expect(await acl('gw-hall1', 'tb/gw-hall2/v1/gateway/telemetry', 'publish')).toBe('deny')
    expect(await acl('hall-1-pad1', 'evaluator/HW2024000123/up', 'publish')).toBe('deny')
  })
})
