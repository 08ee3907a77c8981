/**
 * Shared helpers of the Jazzer.js targets. A target throws (and so reports a finding) only
 * when an invariant breaks: an exception other than the library's typed error, or a result
 * that contradicts its input.
 */

/** The fuzzer's Buffer as a plain Uint8Array over the same bytes (no copy). */
export function asBytes(data: Buffer): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Runs `fn`; an exception that is not an instance of `typed` is rethrown (a finding). */
export function expectTyped(typed: abstract new (...args: never[]) => Error, fn: () => void): void {
  try {
    fn();
  } catch (e) {
    if (e instanceof typed) return;
    throw e;
  }
}
