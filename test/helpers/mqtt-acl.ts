// Asking the broker what a client may not do.
import type { MqttClient } from 'mqtt'

/** True when the broker refuses the subscription (SUBACK 0x80, which mqtt.js reports as an error). */
export async function subscribeRefused(c: MqttClient, topic: string): Promise<boolean> {
  try {
    const granted = await c.subscribeAsync(topic, { qos: 1 })
    return granted[0].qos === 128
  } catch {
    return true
  }
}
