import { parameterInvalid, parameterMissing, parameterUnknown } from './errors';

type Raw = Record<string, unknown>;

/** Parameters common to every endpoint. */
const ALWAYS_ALLOWED = ['expand'];

/**
 * Reads a request's parameters the way Stripe validates them: unknown top-level
 * parameters are rejected (so a typo in the service fails in tests, not in production),
 * required ones must be present, and values must have the right form.
 */
export class Params {
  constructor(
    readonly raw: Raw,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(raw)) {
      if (!allowed.includes(key) && !ALWAYS_ALLOWED.includes(key)) throw parameterUnknown(key);
    }
  }

  has(name: string): boolean {
    return this.raw[name] !== undefined;
  }

  string(name: string): string | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'string') throw parameterInvalid(name, `Invalid string: ${name}`);
    return value;
  }

  requiredString(name: string): string {
    const value = this.string(name);
    if (value === undefined || value === '') throw parameterMissing(name);
    return value;
  }

  /** A string that may be sent empty to clear the field (Stripe's convention). */
  nullableString(name: string): string | null | undefined {
    const value = this.string(name);
    return value === '' ? null : value;
  }

  integer(name: string, options: { min?: number; max?: number } = {}): number | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(n))
      throw parameterInvalid(name, `Invalid integer: ${value}`);
    if (
      (options.min !== undefined && n < options.min) ||
      (options.max !== undefined && n > options.max)
    ) {
      throw parameterInvalid(
        name,
        `${name} must be between ${options.min ?? '-∞'} and ${options.max ?? '∞'}.`,
      );
    }
    return n;
  }

  boolean(name: string): boolean | undefined {
    const value = this.string(name);
    if (value === undefined) return undefined;
    if (value !== 'true' && value !== 'false')
      throw parameterInvalid(name, `Invalid boolean: ${value}`);
    return value === 'true';
  }

  /** `metadata[key]=value`; an empty value removes a key, `metadata=` clears all. */
  metadata(name = 'metadata'): Record<string, string | null> | null | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    if (value === '') return null;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw parameterInvalid(name, `Invalid hash: ${name}`);
    }
    const entries = Object.entries(value as Raw);
    if (entries.length > 50) throw parameterInvalid(name, 'Metadata can have at most 50 keys.');
    const result: Record<string, string | null> = {};
    for (const [key, v] of entries) {
      if (typeof v !== 'string')
        throw parameterInvalid(`${name}[${key}]`, `Invalid string: ${name}[${key}]`);
      if (key.length > 40 || v.length > 500) {
        throw parameterInvalid(
          `${name}[${key}]`,
          'Metadata keys are at most 40 and values at most 500 characters.',
        );
      }
      result[key] = v === '' ? null : v;
    }
    return result;
  }

  /** A nested hash, itself validated with its own allowed keys. */
  hash(name: string, allowed: readonly string[]): Params | undefined {
    const value = this.raw[name];
    if (value === undefined) return undefined;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw parameterInvalid(name, `Invalid hash: ${name}`);
    }
    return new Params(value as Raw, allowed);
  }

  /** An array of hashes (`line_items[0][price]=...`). */
  hashes(name: string, allowed: readonly string[]): Params[] | undefined {
    const items = arrayItems(this.raw[name]);
    if (items === undefined) return undefined;
    return items.map((item, i) => {
      if (typeof item !== 'object' || item === null)
        throw parameterInvalid(`${name}[${i}]`, `Invalid hash: ${name}[${i}]`);
      return new Params(item as Raw, allowed);
    });
  }

  /** An array of strings (`lookup_keys[]=a`, `lookup_keys[0]=a`). */
  strings(name: string): string[] | undefined {
    const items = arrayItems(this.raw[name]);
    if (items === undefined) return undefined;
    if (!items.every((item): item is string => typeof item === 'string')) {
      throw parameterInvalid(name, `Invalid array: ${name}`);
    }
    return items;
  }

  expand(): string[] {
    return this.strings('expand') ?? [];
  }
}

/**
 * qs gives `a[]=x` and `a[0]=x` as arrays, but an index past its array limit as an object
 * keyed by index, and a lone `a=x` as a plain value: all three are an array here.
 */
function arrayItems(value: unknown): unknown[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value)) return value as unknown[];
  if (typeof value === 'object' && value !== null)
    return Object.values(value as Record<string, unknown>);
  return [value];
}

/**
 * Applies a metadata update to existing metadata, Stripe's way: not given (undefined), the
 * metadata as it is; `metadata=` (null), none; a key set empty, that key removed.
 */
export function mergeMetadata(
  current: Record<string, string>,
  update: Record<string, string | null> | null | undefined,
): Record<string, string> {
  if (update === undefined) return current;
  if (update === null) return {};
  const merged: Record<string, string | null> = { ...current, ...update };
  return Object.fromEntries(
    Object.entries(merged).filter((entry): entry is [string, string] => entry[1] !== null),
  );
}
