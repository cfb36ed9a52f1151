// Runs the fauxqs SNS/SQS emulator as a process of its own (fauxqs is ESM-only, and a
// separate process is a real network peer that fault tests can stop and restart).
//
// fauxqs's own startFauxqs() listens on every interface (0.0.0.0) with no option to change
// it; its exported buildApp() is the same server, so it is listened on here on the
// loopback address only: nothing on the network can publish to or read the local topic.
import { buildApp } from 'fauxqs';

const port = Number(process.argv[2] ?? process.env.FAUXQS_PORT ?? 4566);
const app = buildApp({ logger: false });
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`fauxqs listening on ${app.server.address().port}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
