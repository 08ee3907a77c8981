/**
 * Jazzer.js target: libs/fmp4 parseInitSegment (and through it parseAvcC) on arbitrary bytes
 * (a Sentinel's init segment payload). Invariant: returns an InitSegmentInfo within the
 * limits (1..MAX_DIMENSION pixels, a codec string from the avcC), or throws Fmp4Error; never
 * another exception, never a hang.
 */
import { Fmp4Error, MAX_DIMENSION, codecStringFromAvcC, parseInitSegment } from '@vigil/fmp4';
import { asBytes, expectTyped } from './invariants';

export function fuzz(data: Buffer): void {
  const bytes = asBytes(data);
  expectTyped(Fmp4Error, () => {
    const info = parseInitSegment(bytes);
    if (!(info.width >= 1 && info.width <= MAX_DIMENSION && info.height >= 1 && info.height <= MAX_DIMENSION)) {
      throw new Error(`accepted ${info.width}x${info.height}`);
    }
    if (codecStringFromAvcC(info.avcC) !== info.codec) throw new Error(`codec ${info.codec} disagrees with its avcC`);
  });
}
