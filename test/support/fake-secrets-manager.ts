import {
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';

/** Secrets Manager in memory: GetSecretValue and PutSecretValue by name. */
export function fakeSecretsManager(values: Record<string, string>) {
  const puts: { name: string; value: string }[] = [];
  const client = {
    send: (command: unknown) => {
      if (command instanceof GetSecretValueCommand) {
        const name = command.input.SecretId ?? '';
        const value = values[name];
        if (value === undefined) {
          return Promise.reject(
            Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' }),
          );
        }
        return Promise.resolve({
          SecretString: value,
          ARN: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}-AbCdEf`,
        });
      }
      if (command instanceof PutSecretValueCommand) {
        const name = command.input.SecretId ?? '';
        const value = command.input.SecretString ?? '';
        values[name] = value;
        puts.push({ name, value });
        return Promise.resolve({});
      }
      return Promise.reject(new Error('unexpected command'));
    },
    destroy: () => undefined,
  };
  return { client: client as unknown as SecretsManagerClient, puts, values };
}
