import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

/**
 * Secrets Manager's GetSecretValue over its real wire protocol (AWS JSON 1.1), so the
 * Powertools provider and the SDK client run unmodified and every fetch is counted.
 */
export class SecretsManagerStandIn {
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

/** An SDK client of `endpoint` (a stand-in's), failing at once instead of retrying. */
export const standInClient = (endpoint: string): SecretsManagerClient =>
  new SecretsManagerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
