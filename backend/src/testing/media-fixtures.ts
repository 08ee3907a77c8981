import { buildAvcC, writeFragment, writeInitSegment } from '@vigil/fmp4';
import { MediaFlags, MediaKind, decodeMediaMessage, encodeMediaMessage } from '@vigil/protocol';
import type { FragmentUnit, InitUnit, MediaUnit } from '../relay/media-unit';
import { fragmentUnitFromMessage, initUnitFromMessage } from '../relay/unit-factory';

/**
 * Test media for the relay: real init segments and fragments from libs/fmp4, wrapped in real
 * wire messages from libs/protocol. Sample bytes are AVCC-framed NAL units whose payload
 * is filler (the relay checks boxes, not pictures); real pictures are covered by the e2e tests.
 */

/** SPS: nal_unit_type 7, profile_idc 66 (Baseline), constraint flags 0xC0, level_idc 31. */
export const TEST_SPS = Uint8Array.from([0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8, 0x40]);
/** PPS: nal_unit_type 8. */
export const TEST_PPS = Uint8Array.from([0x68, 0xce, 0x3c, 0x80]);

export const TEST_AVCC = buildAvcC(TEST_SPS, TEST_PPS);

/** One AVCC access unit of `size` bytes: a 4-byte length then an IDR (type 5) or non-IDR (type 1) slice NAL. */
export function accessUnit(size: number, idr: boolean): Uint8Array {
  const au = new Uint8Array(size);
  new DataView(au.buffer).setUint32(0, size - 4);
  au[4] = idr ? 0x65 : 0x41;
  for (let i = 5; i < size; i++) au[i] = i & 0xff;
  return au;
}

/** Wire message: init segment (width x height) at `sequence`. */
export function initMessage(sequence: number, width = 1280, height = 720): Uint8Array {
  return encodeMediaMessage(
    { kind: MediaKind.InitSegment, flags: 0, channel: 0, sequence },
    writeInitSegment({ width, height, avcC: TEST_AVCC }),
  );
}

/**
 * Wire message: one fragment. `frameIndex` sets the tfdt (frameIndex * 90000 / fps ticks).
 */
export function fragmentMessage(
  sequence: number,
  frameIndex: number,
  opts: { fps?: number; join?: boolean; size?: number; captureTimeMs?: number } = {},
): Uint8Array {
  const fps = opts.fps ?? 5;
  const join = opts.join ?? false;
  const duration = Math.round(90000 / fps);
  return encodeMediaMessage(
    { kind: MediaKind.Fragment, flags: join ? MediaFlags.Join : 0, channel: 0, sequence },
    writeFragment({
      sequenceNumber: sequence,
      baseMediaDecodeTime: frameIndex * duration,
      duration,
      isSync: join,
      sample: accessUnit(opts.size ?? 1000, join),
      captureTimeMs: opts.captureTimeMs ?? 1_764_000_000_000 + (frameIndex * 1000) / fps,
    }),
  );
}

/**
 * A whole stream as wire messages: init (seq 1) then `frames` fragments, a join fragment
 * every `gop` frames.
 */
export function streamMessages(frames: number, gop: number, fps = 5, size = 1000): Uint8Array[] {
  const out = [initMessage(1)];
  for (let i = 0; i < frames; i++) out.push(fragmentMessage(i + 2, i, { fps, join: i % gop === 0, size }));
  return out;
}

/** Turns wire messages into pipeline units the way the Sentinel session does (real parsing). */
export function toUnits(messages: Uint8Array[], channel = 1, receivedAtMs = 1_764_000_000_000): MediaUnit[] {
  const units: MediaUnit[] = [];
  let init: InitUnit | null = null;
  let previous = -1;
  for (const message of messages) {
    const { header, payload } = decodeMediaMessage(message);
    if (header.kind === MediaKind.InitSegment) {
      init = initUnitFromMessage(message, header, payload, channel, receivedAtMs);
      previous = -1;
      units.push(init);
    } else {
      if (!init) throw new Error('fixture: fragment before init');
      const unit = fragmentUnitFromMessage(message, header, payload, init, previous, channel, receivedAtMs);
      previous = unit.decodeTime;
      units.push(unit);
    }
  }
  return units;
}

export function fragmentsOf(units: MediaUnit[]): FragmentUnit[] {
  return units.filter((u): u is FragmentUnit => u.kind === 'fragment');
}
