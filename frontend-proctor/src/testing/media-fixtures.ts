/**
 * Byte fixtures for the unit tests: real init segments, fragments and media
 * messages built with @vigil/fmp4 and @vigil/protocol (no hand-made copies of
 * their formats). Test-only; excluded from the app build.
 */
import { buildAvcC, writeFragment, writeInitSegment } from '@vigil/fmp4';
import { MediaFlags, MediaKind, encodeMediaMessage } from '@vigil/protocol';

/** Constrained Baseline level 3.1 SPS NAL: header 0x67, profile_idc 66, constraint flags 0xC0, level_idc 31, payload. */
export const SPS = new Uint8Array([0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8]);
/** PPS NAL: header 0x68 + payload. */
export const PPS = new Uint8Array([0x68, 0xce, 0x3c, 0x80]);

/** An init segment, 640x360, codec avc1.42C01F. */
export function initSegment(width = 640, height = 360): Uint8Array {
  return writeInitSegment({ width, height, avcC: buildAvcC(SPS, PPS) });
}

/**
 * A one-frame fragment.
 * @param index frame number; decode time = index * duration
 * @param duration 90 kHz ticks (18000 = 0.2 s = 5 fps)
 */
export function fragment(index: number, opts: { isSync?: boolean; duration?: number; captureTimeMs?: number } = {}): Uint8Array {
  const duration = opts.duration ?? 18000;
  return writeFragment({
    sequenceNumber: index + 2,
    baseMediaDecodeTime: index * duration,
    duration,
    isSync: opts.isSync ?? index === 0,
    // 4-byte length 2, NAL header 0x65 (IDR) or 0x41 (non-IDR slice), one payload byte
    sample: new Uint8Array([0, 0, 0, 2, opts.isSync ?? index === 0 ? 0x65 : 0x41, 0x88]),
    captureTimeMs: opts.captureTimeMs ?? 1_700_000_000_000 + index * 200,
  });
}

/** A server -> proctor binary media message (16-byte header + payload) as a WebSocket would deliver it. */
export function mediaMessage(
  kind: 'init' | 'fragment',
  payload: Uint8Array,
  o: { channel: number; sequence: number; join?: boolean; replay?: boolean },
): ArrayBuffer {
  const flags = (o.join ? MediaFlags.Join : 0) | (o.replay ? MediaFlags.Replay : 0);
  const msg = encodeMediaMessage(
    { kind: kind === 'init' ? MediaKind.InitSegment : MediaKind.Fragment, flags, channel: o.channel, sequence: o.sequence },
    payload,
  );
  return msg.buffer.slice(msg.byteOffset, msg.byteOffset + msg.byteLength) as ArrayBuffer;
}
