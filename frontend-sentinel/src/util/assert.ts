/**
 * Argument checks for public boundaries. Each throws a `TypeError` whose message names the
 * field, what it must be and what it got, so the caller knows what to fix.
 */

/** Formats a value for an error message (strings quoted, objects by type). */
export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

/** Throws unless `value` is a finite number in `[min, max]`. */
export function assertFiniteInRange(name: string, value: unknown, min: number, max: number): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new TypeError(`${name} must be a finite number in [${min}, ${max}], got ${describe(value)}`);
  }
}

/** Throws unless `value` is an integer in `[min, max]` (bounds default to the safe-integer range). */
export function assertIntegerInRange(
  name: string,
  value: unknown,
  min = Number.MIN_SAFE_INTEGER,
  max = Number.MAX_SAFE_INTEGER,
): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `in [${min}, ${max}]`;
    throw new TypeError(`${name} must be an integer ${range}, got ${describe(value)}`);
  }
}

/** Throws unless `value` is a non-null object. */
export function assertObject(name: string, value: unknown): asserts value is object {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new TypeError(`${name} must be an object, got ${describe(value)}`);
  }
}
