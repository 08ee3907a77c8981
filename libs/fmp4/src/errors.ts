/**
 * Why an fMP4 or AVC byte structure was rejected.
 *
 * - `truncated`: a box or field ends past the end of the data (or of its parent box).
 * - `bad-box-size`: a box header declares an impossible size (smaller than its header, > 2^53-1).
 * - `missing-box`: a box the structure requires is absent (e.g. `moof/traf/tfdt`).
 * - `unsupported`: valid ISO BMFF that this library does not handle (e.g. several tracks).
 * - `invalid-field`: a field has a value the structure forbids (e.g. trun sizes != mdat payload).
 * - `trailing-bytes`: bytes follow the last box of a fragment.
 * - `limit-exceeded`: a count or size is over one of the bounds in `limits.ts`
 *   (e.g. more than MAX_SAMPLES_PER_FRAGMENT samples); checked before any work
 *   that grows with it.
 */
export type Fmp4ErrorReason =
  | 'truncated'
  | 'bad-box-size'
  | 'missing-box'
  | 'unsupported'
  | 'invalid-field'
  | 'trailing-bytes'
  | 'limit-exceeded';

/**
 * Error thrown by every parser (and by the AVC helpers) for malformed bytes.
 *
 * `reason` is machine-readable; `boxPath` (e.g. `moof/traf/trun`, '' for top level)
 * and `offset` (byte offset in the caller's Uint8Array, -1 when not applicable)
 * say where. The message repeats both in words.
 */
export class Fmp4Error extends Error {
  override readonly name = 'Fmp4Error';

  constructor(
    readonly reason: Fmp4ErrorReason,
    message: string,
    readonly boxPath = '',
    readonly offset = -1,
  ) {
    super(message);
  }

  /** `need` bytes are required at `offset` inside `boxPath`, only `have` remain. */
  static truncated(boxPath: string, offset: number, need: number, have: number): Fmp4Error {
    return new Fmp4Error(
      'truncated',
      `${where(boxPath, offset)}: need ${need} bytes, only ${have} available (data truncated)`,
      boxPath,
      offset,
    );
  }

  /** The box header at `offset` declares a size that cannot be right. */
  static badBoxSize(boxPath: string, offset: number, detail: string): Fmp4Error {
    return new Fmp4Error('bad-box-size', `${where(boxPath, offset)}: bad box size: ${detail}`, boxPath, offset);
  }

  /** Box `type` is required inside `parentPath` (which starts at `offset`) but absent. */
  static missingBox(parentPath: string, type: string, offset: number): Fmp4Error {
    const path = parentPath === '' ? type : `${parentPath}/${type}`;
    return new Fmp4Error('missing-box', `missing required box '${path}' (searched from offset ${offset})`, path, offset);
  }

  /** Valid but not handled here; `what` says what and, where useful, what to do. */
  static unsupported(boxPath: string, offset: number, what: string): Fmp4Error {
    return new Fmp4Error('unsupported', `${where(boxPath, offset)}: unsupported: ${what}`, boxPath, offset);
  }

  /** `field` of `boxPath` holds a forbidden value; `detail` names value and rule. */
  static invalidField(boxPath: string, offset: number, field: string, detail: string): Fmp4Error {
    return new Fmp4Error('invalid-field', `${where(boxPath, offset)}: invalid ${field}: ${detail}`, boxPath, offset);
  }

  /**
   * `what` at `offset` of `boxPath` is `value`, over `limitName` (`limit`);
   * e.g. limitExceeded('moof/traf/trun', 60, 'sample_count', 8388532, 'MAX_SAMPLES_PER_FRAGMENT', 64).
   */
  static limitExceeded(boxPath: string, offset: number, what: string, value: number | string, limitName: string, limit: number): Fmp4Error {
    return new Fmp4Error(
      'limit-exceeded',
      `${where(boxPath, offset)}: ${what} ${value} is over the limit ${limitName} = ${limit}`,
      boxPath,
      offset,
    );
  }

  /** `count` bytes follow the end of the structure at `offset`. */
  static trailingBytes(offset: number, count: number, after: string): Fmp4Error {
    return new Fmp4Error(
      'trailing-bytes',
      `${count} unexpected bytes at offset ${offset} after ${after} (a fragment ends with its mdat)`,
      '',
      offset,
    );
  }
}

function where(boxPath: string, offset: number): string {
  const box = boxPath === '' ? 'top level' : `'${boxPath}'`;
  return offset >= 0 ? `${box} at offset ${offset}` : box;
}
