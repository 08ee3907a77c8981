/**
 * Jazzer.js target: libs/fmp4 parseFragment on arbitrary bytes (a Sentinel's fragment payload).
 * Invariant: returns a FragmentInfo that agrees with the input, or throws Fmp4Error; never
 * another exception, never a hang (Jazzer's --timeout), and never more than
 * MAX_SAMPLES_PER_FRAGMENT samples.
 */
import { Fmp4Error, MAX_SAMPLES_PER_FRAGMENT, parseFragment } from '@vigil/fmp4';
import { asBytes, expectTyped } from './invariants';

export function fuzz(data: Buffer): void {
  const bytes = asBytes(data);
  expectTyped(Fmp4Error, () => {
    const info = parseFragment(bytes);
    const total = info.samples.reduce((n, s) => n + s.size, 0);
    if (info.sampleCount !== info.samples.length || info.sampleCount < 1 || info.sampleCount > MAX_SAMPLES_PER_FRAGMENT) {
      throw new Error(`accepted a fragment with ${info.sampleCount} samples (${info.samples.length} listed)`);
    }
    if (total > bytes.length || info.byteLength !== bytes.length) throw new Error(`sample sizes ${total} exceed the ${bytes.length}-byte input`);
  });
}
