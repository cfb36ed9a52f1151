import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for API Gateway's throttle on one route, in front of the local API: a token
 * bucket of `burst` tokens refilled at `ratePerSecond`. A request that finds a token is
 * forwarded (method, path, headers and body as received) and answered what the API
 * answered; one that finds none is answered as API Gateway answers it, 429 `{"message":
 * "Too Many Requests"}`, without reaching the function. The local stack has no throttle
 * of its own; this is the one piece of the deployed edge a flood test needs.
 */
export interface ThrottlingGateway {
  /** `http://127.0.0.1:<port>`: the API's base URL behind the throttle. */
  readonly url: string;
  /** Requests forwarded to the API, and requests answered 429 here. */
  readonly counts: { forwarded: number; throttled: number };
  /** The flood is over: the bucket is full again. */
  refill(): void;
  close(): Promise<void>;
}

export interface ThrottleSettings {
  readonly burst: number;
  /** 0: the bucket refills only by `refill()`, so a flood keeps it empty for as long as a test needs. */
  readonly ratePerSecond: number;
}

export async function startThrottlingGateway(
  target: string,
  throttle: ThrottleSettings,
): Promise<ThrottlingGateway> {
  let tokens = throttle.burst;
  let last = Date.now();
  const counts = { forwarded: 0, throttled: 0 };
  const takeToken = (): boolean => {
    const now = Date.now();
    tokens = Math.min(throttle.burst, tokens + ((now - last) / 1000) * throttle.ratePerSecond);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  const server: Server = createServer((request, response) => {
    if (!takeToken()) {
      counts.throttled++;
      response.writeHead(429, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Too Many Requests' }));
      return;
    }
    counts.forwarded++;
    forward(target, request, response).catch(() => {
      response.writeHead(502).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    counts,
    refill: () => {
      tokens = throttle.burst;
      last = Date.now();
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

/** Headers of this connection, not of the request: fetch sets its own. */
const HOP_BY_HOP = new Set(['host', 'connection', 'content-length', 'transfer-encoding']);

async function forward(target: string, request: IncomingMessage, response: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string' && !HOP_BY_HOP.has(name)) {
      headers[name] = value;
    }
  }
  const upstream = await fetch(`${target}${request.url ?? '/'}`, {
    method: request.method ?? 'GET',
    headers,
    ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
  });
  response.writeHead(upstream.status, {
    'content-type': upstream.headers.get('content-type') ?? 'application/json',
  });
  response.end(Buffer.from(await upstream.arrayBuffer()));
}
