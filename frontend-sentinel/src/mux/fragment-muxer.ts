/**
 * Encoded access units -> wire messages: an fMP4 init segment whenever the avcC or the size
 * changes, then one fragment (`prft` + `moof` + `mdat`, one sample) per access unit, each
 * wrapped in the binary media header of `@vigil/protocol`. The mfhd sequence number is the
 * wire sequence number; init segments and fragments share one sequence (starting at 1).
 *
 * Pure: no I/O, no timers. Fed by the pipeline, read by the outbound queue.
 */
import { codecStringFromAvcC, writeFragment, writeInitSegment } from '@vigil/fmp4';
import { encodeMediaMessage, MediaFlags, MediaKind } from '@vigil/protocol';
import type { OutboundMessage } from '../sender/outbound-queue';
import type { EncodedDecoderConfig, EncodedVideo } from '../encode/encoder-backend';
import { assertFiniteInRange, assertIntegerInRange, assertObject, describe } from '../util/assert';

/** Timing of one sample, decided by the frame clock. */
export interface SampleTiming {
  /** tfdt: media time, 90 kHz ticks since stream start (integer >= 0, strictly increasing). */
  mediaTime: number;
  /** Sample duration, 90 kHz ticks (integer > 0): `round(90000 / fps)`. */
  duration: number;
  /** Capture wall-clock time for the `prft` box, Unix epoch milliseconds (fractional allowed). */
  captureTimeMs: number;
}

/** The init segment in force. */
export interface CurrentInit {
  /** Pixels. */
  width: number;
  /** Pixels. */
  height: number;
  /** AVCDecoderConfigurationRecord bytes (a private copy). */
  avcC: Uint8Array;
  /** RFC 6381 codec string derived from the avcC, e.g. `avc1.42C028`. */
  codec: string;
  /** Sequence number of its wire message. */
  sequence: number;
}

/** What `mux()` did with one access unit. */
export interface MuxResult {
  /** 0 messages (frame dropped), 1 fragment, or an init segment followed by a fragment. */
  messages: OutboundMessage[];
  /** Set when the frame was dropped: why. */
  dropped?: 'no-init-segment' | 'delta-after-new-init';
}

/** Turns encoder output into numbered wire messages; see the module comment. */
export class FragmentMuxer {
  private init: CurrentInit | null = null;
  private initPending = true;
  private lastMediaTime = -1;

  /** The init segment in force, or null before the first keyframe. */
  get currentInit(): CurrentInit | null {
    return this.init;
  }

  /**
   * Muxes one access unit. `nextSequence` is the sequence number of the first message this
   * call returns (the outbound queue's `nextSequence`); the messages are consecutive.
   *
   * - With a decoderConfig whose avcC or size differs from the init segment in force (or after
   *   `reset()`), an init segment message comes first.
   * - A delta access unit with no usable init segment in front of it cannot be decoded and is
   *   dropped (`dropped` says why); the caller should request a keyframe.
   *
   * @throws TypeError on malformed input; RangeError when media time does not increase
   */
  mux(chunk: EncodedVideo, timing: SampleTiming, nextSequence: number): MuxResult {
    checkChunk(chunk);
    assertObject('timing', timing);
    assertIntegerInRange('timing.mediaTime', timing.mediaTime, 0);
    assertIntegerInRange('timing.duration', timing.duration, 1, 0xffffffff);
    assertFiniteInRange('timing.captureTimeMs', timing.captureTimeMs, 0, 8.64e15);
    assertIntegerInRange('nextSequence', nextSequence, 1);
    if (timing.mediaTime <= this.lastMediaTime) {
      throw new RangeError(`timing.mediaTime must increase: ${timing.mediaTime} after ${this.lastMediaTime}`);
    }
    const isKey = chunk.type === 'key';
    const messages: OutboundMessage[] = [];
    let sequence = nextSequence;

    const config = chunk.decoderConfig;
    const needsInit = this.initPending || (config !== undefined && this.differs(config));
    if (needsInit) {
      if (!isKey) return { messages, dropped: this.init === null ? 'no-init-segment' : 'delta-after-new-init' };
      const source = config ?? this.init;
      if (source === null) return { messages, dropped: 'no-init-segment' };
      const avcC = source.avcC.slice();
      const payload = writeInitSegment({ width: source.width, height: source.height, avcC });
      messages.push({
        sequence,
        kind: 'init',
        join: false,
        data: encodeMediaMessage({ kind: MediaKind.InitSegment, flags: 0, channel: 0, sequence }, payload),
      });
      this.init = { width: source.width, height: source.height, avcC, codec: codecStringFromAvcC(avcC), sequence };
      this.initPending = false;
      sequence++;
    }

    const fragment = writeFragment({
      sequenceNumber: sequence,
      baseMediaDecodeTime: timing.mediaTime,
      duration: timing.duration,
      isSync: isKey,
      sample: chunk.data,
      captureTimeMs: timing.captureTimeMs,
    });
    messages.push({
      sequence,
      kind: 'fragment',
      join: isKey,
      data: encodeMediaMessage(
        { kind: MediaKind.Fragment, flags: isKey ? MediaFlags.Join : 0, channel: 0, sequence },
        fragment,
      ),
    });
    this.lastMediaTime = timing.mediaTime;
    return { messages };
  }

  /**
   * New stream: the next keyframe gets an init segment again (from the last decoderConfig if
   * the encoder sends none) and media time may restart at 0.
   */
  reset(): void {
    this.initPending = true;
    this.lastMediaTime = -1;
  }

  private differs(config: EncodedDecoderConfig): boolean {
    const init = this.init;
    if (init === null) return true;
    if (init.width !== config.width || init.height !== config.height) return true;
    if (init.avcC.byteLength !== config.avcC.byteLength) return true;
    for (let i = 0; i < init.avcC.byteLength; i++) if (init.avcC[i] !== config.avcC[i]) return true;
    return false;
  }
}

function checkChunk(chunk: EncodedVideo): void {
  assertObject('chunk', chunk);
  if (chunk.type !== 'key' && chunk.type !== 'delta') {
    throw new TypeError(`chunk.type must be 'key' or 'delta', got ${describe(chunk.type)}`);
  }
  if (!(chunk.data instanceof Uint8Array) || chunk.data.byteLength === 0) {
    throw new TypeError('chunk.data must be a non-empty Uint8Array (one AVCC access unit)');
  }
  if (chunk.decoderConfig !== undefined) {
    const c = chunk.decoderConfig;
    assertObject('chunk.decoderConfig', c);
    if (!(c.avcC instanceof Uint8Array) || c.avcC.byteLength < 7) {
      throw new TypeError('chunk.decoderConfig.avcC must be a Uint8Array holding an AVCDecoderConfigurationRecord (>= 7 bytes)');
    }
    assertIntegerInRange('chunk.decoderConfig.width', c.width, 2, 4096);
    assertIntegerInRange('chunk.decoderConfig.height', c.height, 2, 4096);
  }
}
