import { createServer, type Server } from 'node:net';
import { assertPortsFree, findFreePort, PortInUseError } from '../../../../local/services/ports';

/** Something else listening, as a second `npm start` or a stray DynamoDB Local would be. */
function occupy(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({ server, port: (server.address() as { port: number }).port });
    });
  });
}

const close = (server: Server) =>
  new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });

describe('assertPortsFree', () => {
  it('passes when every port is free', async () => {
    const port = await findFreePort();
    await expect(
      assertPortsFree([{ port, purpose: 'the local API', envVar: 'PORT' }]),
    ).resolves.toBeUndefined();
  });

  it('names every busy port in one error, each with the variable that moves it', async () => {
    const [api, dynamo] = await Promise.all([occupy(), occupy()]);
    const free = await findFreePort();
    try {
      const error = await assertPortsFree([
        { port: api.port, purpose: 'the local API', envVar: 'PORT' },
        { port: free, purpose: 'the SNS/SQS emulator', envVar: 'SNS_PORT' },
        { port: dynamo.port, purpose: 'DynamoDB Local', envVar: 'DYNAMODB_PORT' },
      ]).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(PortInUseError);
      const { busy, message } = error as PortInUseError;
      expect(busy.map((b) => b.port)).toEqual([api.port, dynamo.port]);
      expect(message).toContain(`${api.port}`);
      expect(message).toContain('the local API: choose another port with PORT=<port>');
      expect(message).toContain('DynamoDB Local: choose another port with DYNAMODB_PORT=<port>');
      expect(message).toContain(`lsof -i :${api.port} -i :${dynamo.port}`);
      expect(message).not.toContain('SNS_PORT');
    } finally {
      await Promise.all([close(api.server), close(dynamo.server)]);
    }
  });

  it('does not mistake two needs on one free port for a conflict between them', async () => {
    const port = await findFreePort();
    await expect(
      assertPortsFree([
        { port, purpose: 'the local API', envVar: 'PORT' },
        { port, purpose: 'the Stripe sandbox', envVar: 'STRIPE_SANDBOX_PORT' },
      ]),
    ).resolves.toBeUndefined();
  });
});
