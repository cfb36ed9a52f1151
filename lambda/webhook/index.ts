import { SecretsManagerStore } from '../core/secrets';
import { buildWebhookHandler } from './composition-root';
import { loadWebhookConfig } from './config';

// Cold start: a misconfigured function fails here, naming every missing setting.
const config = loadWebhookConfig(process.env);

export const handler = buildWebhookHandler(config, {
  secrets: new SecretsManagerStore(config.secretsCacheMaxAgeSeconds),
});
