// A bare aedes broker with no auth and no server behind it: the ceiling for MQTT fan-in here.
import { createServer } from 'node:net'
import { Aedes } from 'aedes'

const port = Number(process.argv[2] ?? 0)
const aedes = await Aedes.createBroker()
const server = createServer((s) => aedes.handle(s))
server.listen(port, '127.0.0.1', () =>
  console.log(`listening ${(server.address() as { port: number }).port}`),
)
