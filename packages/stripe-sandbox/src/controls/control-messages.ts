import { parameterInvalid } from '../http/errors';

/** What a control reads (its body, JSON or form) and what it answers. */

/** A control's body: values may come as strings or as JSON types. */
export type ControlBody = Record<string, unknown>;

/** A control's answer: a status and a JSON body. */
export interface ControlResult {
  readonly status: number;
  readonly body: unknown;
}

export const ok = (value: unknown): ControlResult => ({ status: 200, body: value });

export const str = (body: ControlBody, name: string): string | undefined => {
  const value = body[name];
  if (typeof value === 'string') return value;
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : undefined;
};

export const bool = (body: ControlBody, name: string): boolean | undefined => {
  const value = body[name];
  return value === undefined ? undefined : value === true || value === 'true';
};

export const num = (
  body: ControlBody,
  name: string,
  range: { min: number; max: number; integer?: boolean },
): number | undefined => {
  const value = str(body, name);
  if (value === undefined) return undefined;
  const n = Number(value);
  const integer = range.integer ?? true;
  if (value.trim() === '' || !Number.isFinite(n) || (integer && !Number.isSafeInteger(n)))
    throw parameterInvalid(name, `${name} must be ${integer ? 'an integer' : 'a number'}`);
  if (n < range.min || n > range.max)
    throw parameterInvalid(name, `${name} must be between ${range.min} and ${range.max}`);
  return n;
};

export const int = (body: ControlBody, name: string): number | undefined =>
  num(body, name, { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER });
