import type { EnvVarName } from '../shared/function-environment';
import type { SecretRef } from '../shared/secrets';

/**
 * A setting that is missing or malformed: a function's environment at cold start, a
 * secret's shape, or the stack's settings in cdk.json context at synth (lib/config/).
 */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

export type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Reads a function's environment once, at cold start. Every problem is collected and
 * reported together, so a misdeployed function says everything that is wrong at once.
 */
export class EnvironmentReader {
  private readonly problems: string[] = [];

  constructor(private readonly env: Environment) {}

  required(name: EnvVarName): string {
    const value = this.env[name]?.trim();
    if (!value) {
      this.problems.push(`${name} is not set`);
      return '';
    }
    return value;
  }

  /** A secret's name, and the field of it when it is a combined JSON secret. */
  secret(nameVar: EnvVarName, fieldVar: EnvVarName): SecretRef {
    const field = this.env[fieldVar]?.trim();
    return { name: this.required(nameVar), ...(field ? { field } : {}) };
  }

  /** `{ [key]: value }` when the variable is set and not blank, else `{}`. */
  optional<K extends string>(key: K, name: EnvVarName): Partial<Record<K, string>> {
    const value = this.env[name]?.trim();
    return value ? ({ [key]: value } as Record<K, string>) : {};
  }

  /** A comma-separated list with at least one entry. */
  list(name: EnvVarName): string[] {
    const items = this.required(name)
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    if (items.length === 0 && this.env[name] !== undefined) this.problems.push(`${name} is empty`);
    return items;
  }

  positiveInteger(name: EnvVarName, fallback: number): number {
    const raw = this.env[name]?.trim();
    if (!raw) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) {
      this.problems.push(`${name} must be a positive integer (got "${raw}")`);
      return fallback;
    }
    return value;
  }

  /** A positive integer that must be set. */
  requiredPositiveInteger(name: EnvVarName): number {
    if (this.required(name) === '') return 0;
    return this.positiveInteger(name, 0);
  }

  /** An integer from `min` to `max` that must be set (0 allowed when `min` is 0). */
  requiredIntegerInRange(name: EnvVarName, min: number, max: number): number {
    const raw = this.required(name).trim();
    if (raw === '') return min;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(
        `${name} must be an integer from ${String(min)} to ${String(max)} (got "${raw}")`,
      );
      return min;
    }
    return value;
  }

  /** Throws one error naming every problem found, if there were any. */
  done<T>(config: T): T {
    if (this.problems.length > 0) {
      throw new ConfigurationError(`Invalid function configuration: ${this.problems.join('; ')}.`);
    }
    return config;
  }
}

/** Reads a configuration from `env` at cold start: throws once, naming every problem found. */
export function readEnvironment<T>(env: Environment, read: (reader: EnvironmentReader) => T): T {
  const reader = new EnvironmentReader(env);
  return reader.done(read(reader));
}
