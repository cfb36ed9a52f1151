/** A JSON object (not null, not an array): what a parsed body or setting must be to read fields from. */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
