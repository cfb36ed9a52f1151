import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { parseSecretList } from '../../lambda/core/secrets';
import type { SecretRef } from '../../lambda/shared/secrets';
import { CommandFailedError } from './cli';
import type { WebhookSecretStore } from './target';

/** A secret's string value and its ARN (which names the account, region and partition). */
export async function readSecret(client: SecretsManagerClient, name: string) {
  const result = await client.send(new GetSecretValueCommand({ SecretId: name }));
  if (result.SecretString === undefined || result.ARN === undefined) {
    throw new CommandFailedError(`Secret ${name} has no string value.`);
  }
  return { value: result.SecretString, arn: result.ARN };
}

/** For messages: `secret <name>`, and the field of a combined secret. */
export const describeSecretRef = (ref: SecretRef): string =>
  ref.field === undefined ? `secret ${ref.name}` : `secret ${ref.name}, field "${ref.field}"`;

/**
 * The webhook secret in Secrets Manager: a secret of its own (a string, or `{"key": ...}`,
 * kept in the shape it has), or a field of the combined secret (the other fields untouched).
 */
export function awsWebhookSecret(client: SecretsManagerClient, ref: SecretRef): WebhookSecretStore {
  const current = async (): Promise<string | undefined> => {
    try {
      return (await readSecret(client, ref.name)).value;
    } catch (error) {
      if ((error as { name?: unknown }).name === 'ResourceNotFoundException') return undefined;
      throw error;
    }
  };
  return {
    description: describeSecretRef(ref),
    writable: true,
    read: async () => {
      const raw = await current();
      if (raw === undefined) return undefined;
      try {
        return parseSecretList(raw, ref);
      } catch {
        return undefined;
      }
    },
    write: async (secrets) => {
      const raw = await current();
      if (raw === undefined) {
        throw new CommandFailedError(
          `Secret ${ref.name} does not exist: create it first (operators own the secrets; see the runbook).`,
        );
      }
      await client.send(
        new PutSecretValueCommand({
          SecretId: ref.name,
          SecretString: withSecrets(raw, ref, secrets),
        }),
      );
    },
  };
}

/** The secret's new value: the list where the old one was, in the shape the secret has. */
function withSecrets(raw: string, ref: SecretRef, secrets: readonly string[]): string {
  const list = secrets.join(',');
  if (ref.field !== undefined) {
    const parsed = JSON.parse(raw) as Record<string, unknown>;
    return JSON.stringify({ ...parsed, [ref.field]: list });
  }
  if (raw.trim().startsWith('{')) {
    return JSON.stringify({ ...(JSON.parse(raw) as Record<string, unknown>), key: list });
  }
  return list;
}
