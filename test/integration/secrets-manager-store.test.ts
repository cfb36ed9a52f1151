import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { parseSecretList, SecretsManagerStore } from '../../lambda/core/secrets';

jest.setTimeout(20_000);

/**
 * Secrets Manager's GetSecretValue over its real wire protocol (AWS JSON 1.1), so the
 * Powertools provider and the SDK client run unmodified and every fetch is counted.
 */
class SecretsManagerStandIn {
  readonly values = new Map<string, string>();
  readonly fetches: string[] = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const target = request.headers['x-amz-target'];
        const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          SecretId: string;
        };
        const value = this.values.get(SecretId);
        response.setHeader('content-type', 'application/x-amz-json-1.1');
        if (target !== 'secretsmanager.GetSecretValue' || value === undefined) {
          response.statusCode = 400;
          response.setHeader('x-amzn-errortype', 'ResourceNotFoundException');
          response.end(
            JSON.stringify({ __type: 'ResourceNotFoundException', message: 'not found' }),
          );
          return;
        }
        this.fetches.push(SecretId);
        response.end(
          JSON.stringify({
            ARN: `arn:aws:secretsmanager:us-east-1:1:secret:${SecretId}-abcdef`,
            Name: SecretId,
            SecretString: value,
            VersionId: 'v1',
          }),
        );
      });
    });
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => {
        resolve();
      });
    });
  }
}

const standIn = new SecretsManagerStandIn();
let client: SecretsManagerClient;
beforeAll(async () => {
  const endpoint = await standIn.start();
  client = new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  client.destroy();
  await standIn.stop();
});
beforeEach(() => {
  standIn.fetches.length = 0;
});

describe('SecretsManagerStore (Powertools parameters)', () => {
  it('caches a value per container for its max age', async () => {
    standIn.values.set('cached', 'sk_test_1');
    const store = new SecretsManagerStore(300, client);
    await expect(store.get('cached')).resolves.toBe('sk_test_1');
    await expect(store.get('cached')).resolves.toBe('sk_test_1');
    expect(standIn.fetches).toEqual(['cached']);
  });

  it('fetches again past the cache when forced', async () => {
    standIn.values.set('forced', 'whsec_old');
    const store = new SecretsManagerStore(300, client);
    await store.get('forced');
    standIn.values.set('forced', 'whsec_old,whsec_new');
    await expect(store.get('forced')).resolves.toBe('whsec_old');
    const fresh = await store.get('forced', { forceFetch: true });
    expect(parseSecretList(fresh, 'forced')).toEqual(['whsec_old', 'whsec_new']);
    expect(standIn.fetches).toEqual(['forced', 'forced']);
  });

  it('picks up a rotated value once the max age has passed, without a redeploy', async () => {
    standIn.values.set('rotating', 'first');
    const store = new SecretsManagerStore(1, client);
    await expect(store.get('rotating')).resolves.toBe('first');
    standIn.values.set('rotating', 'second');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await expect(store.get('rotating')).resolves.toBe('second');
  });

  it('fails when the secret does not exist', async () => {
    await expect(new SecretsManagerStore(300, client).get('missing')).rejects.toThrow();
  });
});
