// Runs the fauxqs SNS/SQS emulator as a process of its own (fauxqs is ESM-only, and a
// separate process is a real network peer that fault tests can stop and restart).
import { startFauxqs } from 'fauxqs';

const port = Number(process.argv[2] ?? process.env.FAUXQS_PORT ?? 4566);
const server = await startFauxqs({ port, logger: false });
process.stdout.write(`fauxqs listening on ${server.port}\n`);
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => process.exit(0));
