import { MAX_SAFE_U64, MAX_U32 } from '../constants';

/** Throws `TypeError('<name> must be an integer in [min, max]…')` unless `value` is one. */
export function checkInteger(name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/** Unsigned 32-bit integer in [min, 2^32 - 1]. */
export function checkU32(name: string, value: unknown, min = 0): number {
  return checkInteger(name, value, min, MAX_U32);
}

/** Unsigned 64-bit field value that JS numbers hold exactly: [0, 2^53 - 1]. */
export function checkU64(name: string, value: unknown): number {
  return checkInteger(name, value, 0, MAX_SAFE_U64);
}

/** Throws `TypeError` unless `value` is a Uint8Array with at least `minLength` bytes. */
export function checkBytes(name: string, value: unknown, minLength: number): Uint8Array {
  if (!(value instanceof Uint8Array) || value.length < minLength) {
    throw new TypeError(`${name} must be a Uint8Array of at least ${minLength} byte(s)`);
  }
  return value;
}
