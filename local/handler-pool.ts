import type { HttpHandler } from '../lambda/core/http-handler';

/**
 * One function's handler instances, as Lambda keeps warm containers: a request takes an
 * idle instance if there is one and a freshly built one if not, and gives it back when
 * done. Concurrent requests must never share an instance: the HTTP shell keeps the
 * request's state on it (the logger's keys, the idempotency config's Lambda context), as
 * a function may, since in Lambda a container serves one request at a time. The pool
 * grows to the highest concurrency seen, as a function's containers do.
 */
export function pooledHandler(build: () => HttpHandler): HttpHandler {
  const idle: HttpHandler[] = [];
  return async (event, context) => {
    const instance = idle.pop() ?? build();
    // An instance whose handler threw is dropped, as Lambda replaces a crashed runtime.
    const result = await instance(event, context);
    idle.push(instance);
    return result;
  };
}
