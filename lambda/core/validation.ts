import { invalidRequest } from './errors';

/**
 * Field readers for JSON request bodies: each names the field in its error, so a caller
 * learns exactly what to fix. Unknown fields are rejected too: a typo such as
 * `sucessUrl` must not silently fall back to a default.
 */
export class BodyReader {
  constructor(
    private readonly body: Record<string, unknown>,
    allowed: readonly string[],
  ) {
    const unknown = Object.keys(body).filter((key) => !allowed.includes(key));
    if (unknown.length > 0) {
      throw invalidRequest(
        `Unknown field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}.`,
        'unknown_field',
      );
    }
  }

  requiredString(field: string, maxLength: number): string {
    const value = this.body[field];
    if (value === undefined || value === null)
      throw invalidRequest(`${field} is required.`, 'missing_field');
    if (typeof value !== 'string')
      throw invalidRequest(`${field} must be a string.`, 'invalid_field');
    if (value.trim() === '') throw invalidRequest(`${field} must not be empty.`, 'invalid_field');
    if (value.length > maxLength)
      throw invalidRequest(`${field} must be at most ${maxLength} characters.`, 'invalid_field');
    return value;
  }

  optionalInteger(field: string, min: number, max: number): number | undefined {
    const value = this.body[field];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      throw invalidRequest(`${field} must be an integer from ${min} to ${max}.`, 'invalid_field');
    }
    return value;
  }
}
