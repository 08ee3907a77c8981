/**
 * The units that flow through the server's segment pipeline.
 *
 * A unit wraps one wire message exactly as received from the Sentinel (16-byte
 * media header + fMP4 bytes, see libs/protocol README). The server rewrites the
 * header's channel field once, in place, to the stream's channel number, so the
 * very same buffer is sent to every viewer: no per-viewer copies.
 */
export interface InitUnit {
  readonly kind: 'init';
  /** Per-stream sequence number (shared with fragments). */
  readonly sequence: number;
  /** Whole wire message: header + init segment (`ftyp` + `moov`). Shared, never mutated after ingest. */
  readonly message: Uint8Array;
  /** The init segment bytes: a subarray of `message`. */
  readonly payload: Uint8Array;
  /** Coded picture size, pixels. */
  readonly width: number;
  readonly height: number;
  /** RFC 6381 codec string derived from the `avcC`, e.g. `avc1.42C028`. */
  readonly codec: string;
  /** Server wall clock at reception, ms since the Unix epoch. */
  readonly receivedAtMs: number;
}

export interface FragmentUnit {
  readonly kind: 'fragment';
  readonly sequence: number;
  /** Whole wire message: header + fragment (`prft` + `moof` + `mdat`). Shared. */
  readonly message: Uint8Array;
  /** The fragment bytes: a subarray of `message`. */
  readonly payload: Uint8Array;
  /** True when the first sample is an IDR picture: a viewer can start decoding here. */
  readonly join: boolean;
  /** `tfdt` base media decode time, 90 kHz ticks since stream start. */
  readonly decodeTime: number;
  /** Sum of sample durations, 90 kHz ticks. */
  readonly duration: number;
  /** Capture wall clock from `prft`, ms since the Unix epoch, or null. */
  readonly captureTimeMs: number | null;
  /** Server wall clock at reception, ms since the Unix epoch. */
  readonly receivedAtMs: number;
  /** The init segment this fragment decodes with. */
  readonly init: InitUnit;
}

export type MediaUnit = InitUnit | FragmentUnit;

/** 90 kHz: the timescale of every Vigil track (DESIGN.md, Container). */
export const TICKS_PER_SECOND = 90_000;
