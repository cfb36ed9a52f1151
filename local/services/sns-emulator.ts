import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { type RunningService, runChildService } from './child-service';
import { loopbackUrl } from './ports';

export const SNS_EMULATOR_NAME = 'SNS/SQS emulator';

/**
 * The SNS/SQS emulator (`fauxqs`) as its own process: a real HTTP peer that speaks the AWS
 * protocols, and that a fault test can stop and start again.
 */
export function startSnsEmulator(port: number): Promise<RunningService> {
  const endpoint = loopbackUrl(port);
  const entry = path.join(__dirname, 'sns-emulator-process.mjs');
  return runChildService({
    name: SNS_EMULATOR_NAME,
    child: spawn(process.execPath, [entry, String(port)], { stdio: ['ignore', 'pipe', 'pipe'] }),
    port,
    endpoint,
    probe: async () => {
      const response = await fetch(`${endpoint}/health`);
      if (!response.ok) throw new Error(`health check answered ${response.status}`);
    },
  });
}
