import { Fmp4Error, parseFragment, parseInitSegment } from '@vigil/fmp4';
import { MAX_DIMENSION, MEDIA_HEADER_BYTES, MediaFlags, MediaHeader, MediaKind, ProtocolError, encodeMediaMessage, writeMediaHeader } from '@vigil/protocol';
import { FragmentUnit, InitUnit } from './media-unit';
import { errorText } from '../common/error-text';

/**
 * Validates a Sentinel's media message with libs/fmp4 and turns it into a pipeline unit
 * (pure). The header's channel field (bytes 4..7, see libs/protocol README) is rewritten
 * in place to the stream's channel, so the same buffer can go to every viewer.
 *
 * @param message the whole wire message as received (header + payload); becomes shared
 * @param payload its fMP4 bytes (subarray of `message`)
 * @throws ProtocolError `bad-init-segment` with the parser's reason when the bytes are malformed,
 *   or when the declared picture is wider or taller than {@link MAX_DIMENSION} (4096 px: the
 *   Sentinel downscales to fit 1920x1080, and proctors are told the size)
 */
export function initUnitFromMessage(
  message: Uint8Array,
  header: MediaHeader,
  payload: Uint8Array,
  channel: number,
  receivedAtMs: number,
): InitUnit {
  let info;
  try {
    info = parseInitSegment(payload);
  } catch (e) {
    throw new ProtocolError('bad-init-segment', `init segment ${header.sequence} is malformed: ${describe(e)}`, { fatal: true });
  }
  if (!(info.width >= 1 && info.width <= MAX_DIMENSION && info.height >= 1 && info.height <= MAX_DIMENSION)) {
    throw new ProtocolError(
      'bad-init-segment',
      `init segment ${header.sequence} declares ${info.width}x${info.height} pixels: width and height must be 1 to ${MAX_DIMENSION} (downscale to fit 1920x1080)`,
      { fatal: true },
    );
  }
  stampChannel(message, header, channel);
  return {
    kind: 'init',
    sequence: header.sequence,
    message,
    payload,
    width: info.width,
    height: info.height,
    codec: info.codec,
    receivedAtMs,
  };
}

/**
 * Validates a fragment against the protocol's rules and the stream's state:
 * parses (sizes, boxes), `mfhd` sequence number equals the wire sequence number,
 * one or more samples, JOIN flag equals the first sample's sync flag, `tfdt` strictly
 * after the previous fragment's.
 *
 * @param previousDecodeTime `tfdt` of the previous fragment, 90 kHz ticks, or -1 when none
 * @throws ProtocolError `bad-fragment` naming the rule that failed
 */
export function fragmentUnitFromMessage(
  message: Uint8Array,
  header: MediaHeader,
  payload: Uint8Array,
  init: InitUnit,
  previousDecodeTime: number,
  channel: number,
  receivedAtMs: number,
): FragmentUnit {
  let info;
  try {
    info = parseFragment(payload);
  } catch (e) {
    throw new ProtocolError('bad-fragment', `fragment ${header.sequence} is malformed: ${describe(e)}`, { fatal: true });
  }
  const bad = (why: string) => new ProtocolError('bad-fragment', `fragment ${header.sequence}: ${why}`, { fatal: true });
  if (info.sequenceNumber !== header.sequence) {
    throw bad(`mfhd sequence_number ${info.sequenceNumber} must equal the message sequence number`);
  }
  if (info.sampleCount < 1) throw bad('trun holds no sample');
  const join = (header.flags & MediaFlags.Join) !== 0;
  if (join !== info.isSync) {
    throw bad(`JOIN flag (${join}) must match the first sample's sync flag (${info.isSync})`);
  }
  if (info.baseMediaDecodeTime <= previousDecodeTime) {
    throw bad(`tfdt ${info.baseMediaDecodeTime} must be after the previous fragment's ${previousDecodeTime}`);
  }
  stampChannel(message, header, channel);
  return {
    kind: 'fragment',
    sequence: header.sequence,
    message,
    payload,
    join,
    decodeTime: info.baseMediaDecodeTime,
    duration: info.duration,
    captureTimeMs: info.captureTimeMs,
    receivedAtMs,
    init,
  };
}

/**
 * Writes the stream's channel into the header at the start of `message`, in place, from the
 * header already decoded (no second parse on the per-fragment path). Only before the buffer is
 * handed to any socket.
 */
function stampChannel(message: Uint8Array, header: MediaHeader, channel: number): void {
  writeMediaHeader(new DataView(message.buffer, message.byteOffset, MEDIA_HEADER_BYTES), 0, { ...header, channel });
}

function describe(e: unknown): string {
  if (e instanceof Fmp4Error) return `${e.reason}: ${e.message}`;
  return errorText(e);
}

/**
 * Rebuilds an init unit from init segment bytes read back from disk (resume after a restart).
 * @throws ProtocolError `bad-init-segment` when the bytes do not parse
 */
export function initUnitFromBytes(bytes: Uint8Array, sequence: number, channel: number, receivedAtMs: number): InitUnit {
  const header: MediaHeader = { kind: MediaKind.InitSegment, flags: 0, channel, sequence };
  const message = encodeMediaMessage(header, bytes);
  return initUnitFromMessage(message, header, message.subarray(message.byteLength - bytes.byteLength), channel, receivedAtMs);
}
