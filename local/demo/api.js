import { buyer } from './buyer.js';
import { PATHS } from './paths.js';

/** A local token for the demo buyer, signed by the local stack as the platform would. */
async function token() {
  const id = buyer();
  const query = new URLSearchParams({ userId: id, email: id + '@example.com' });
  const response = await fetch(PATHS.token + '?' + query);
  return (await response.json()).token;
}

class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** The response's JSON; an error response throws its `error.code` and message. */
export async function readJson(response) {
  const json = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = json.error || {};
    throw new ApiError(response.status, error.code, error.message || 'HTTP ' + response.status);
  }
  return json;
}

/** Calls the API as the demo buyer. */
export async function api(method, path, body) {
  const response = await fetch(path, {
    method,
    headers: { authorization: 'Bearer ' + (await token()), 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return readJson(response);
}
