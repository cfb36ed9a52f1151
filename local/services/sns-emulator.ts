import { spawn } from 'node:child_process';
import * as path from 'node:path';
import {
  captureOutput,
  manageChild,
  type RunningService,
  stopChild,
  waitUntilReady,
} from './child-service';

/**
 * The SNS/SQS emulator (`fauxqs`) as its own process: a real HTTP peer that speaks the AWS
 * protocols, and that a fault test can stop and start again.
 */
export async function startSnsEmulator(port: number): Promise<RunningService> {
  const entry = path.join(__dirname, 'sns-emulator-process.mjs');
  const child = spawn(process.execPath, [entry, String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  manageChild(child);
  const output = captureOutput(child);
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilReady(
    'SNS/SQS emulator',
    child,
    async () => {
      const response = await fetch(`${endpoint}/health`);
      if (!response.ok) throw new Error(`health check answered ${response.status}`);
    },
    output,
  );
  return { name: 'SNS/SQS emulator', endpoint, port, stop: () => stopChild(child) };
}
