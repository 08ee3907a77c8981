import { buildAvcC, parseFragment, parseInitSegment } from '@vigil/fmp4';
import { decodeMediaMessage, MediaFlags, MediaKind } from '@vigil/protocol';
import type { EncodedVideo } from '../encode/encoder-backend';
import { FragmentMuxer } from './fragment-muxer';

// Parameter sets as Chromium's OpenH264 writes them for Constrained Baseline (payload shortened).
const SPS_40 = new Uint8Array([
  0x67, //       NAL header: nal_ref_idc 3, nal_unit_type 7 (SPS)
  0x42, //       profile_idc 66 (Baseline)
  0xc0, //       constraint_set0 + constraint_set1: Constrained Baseline
  0x28, //       level_idc 40
  0xda, 0x01, 0xe0, 0x08, 0x9f, // SPS payload (arbitrary for the muxer)
]);
const SPS_31 = new Uint8Array([0x67, 0x42, 0xc0, 0x1f, 0xda, 0x01, 0x40, 0x16, 0xe8]);
const PPS = new Uint8Array([0x68, 0xce, 0x3c, 0x80]); // NAL type 8 (PPS)
const AVCC_40 = buildAvcC(SPS_40, PPS);
const AVCC_31 = buildAvcC(SPS_31, PPS);

/** One AVCC access unit: a 4-byte length then a slice NAL (type 5 IDR or 1 non-IDR). */
function accessUnit(key: boolean, size = 40): Uint8Array {
  const au = new Uint8Array(4 + size);
  new DataView(au.buffer).setUint32(0, size);
  au[4] = key ? 0x65 : 0x41;
  return au;
}

function chunk(type: 'key' | 'delta', timestamp: number, config?: { avcC: Uint8Array; width: number; height: number }): EncodedVideo {
  return { type, timestamp, data: accessUnit(type === 'key'), ...(config ? { decoderConfig: config } : {}) };
}

const timing = (mediaTime: number, duration = 90_000) => ({ mediaTime, duration, captureTimeMs: 1_763_000_000_000 + mediaTime / 90 });
const FULL_HD = { avcC: AVCC_40, width: 1920, height: 1080 };

describe('FragmentMuxer', () => {
  it('writes an init segment then a join fragment for the first keyframe', () => {
    const m = new FragmentMuxer();
    const { messages, dropped } = m.mux(chunk('key', 0, FULL_HD), timing(0), 1);
    expect(dropped).toBeUndefined();
    expect(messages.map((x) => [x.sequence, x.kind, x.join])).toEqual([
      [1, 'init', false],
      [2, 'fragment', true],
    ]);

    const init = decodeMediaMessage(messages[0]!.data);
    expect(init.header).toEqual({ kind: MediaKind.InitSegment, flags: 0, channel: 0, sequence: 1 });
    const info = parseInitSegment(init.payload);
    expect(info).toMatchObject({ width: 1920, height: 1080, timescale: 90_000, codec: 'avc1.42C028' });
    expect(Array.from(info.avcC)).toEqual(Array.from(AVCC_40));

    const frag = decodeMediaMessage(messages[1]!.data);
    expect(frag.header).toEqual({ kind: MediaKind.Fragment, flags: MediaFlags.Join, channel: 0, sequence: 2 });
    const f = parseFragment(frag.payload);
    expect(f).toMatchObject({ sequenceNumber: 2, baseMediaDecodeTime: 0, duration: 90_000, sampleCount: 1, isSync: true });
    expect(f.captureTimeMs).toBeCloseTo(1_763_000_000_000, 0);
    expect(m.currentInit).toMatchObject({ width: 1920, height: 1080, codec: 'avc1.42C028', sequence: 1 });
  });

  it('writes one non-join fragment per delta frame, with tfdt = media time', () => {
    const m = new FragmentMuxer();
    m.mux(chunk('key', 0, FULL_HD), timing(0), 1);
    const { messages } = m.mux(chunk('delta', 1_000_000), timing(90_000), 3);
    expect(messages).toHaveLength(1);
    const { header, payload } = decodeMediaMessage(messages[0]!.data);
    expect(header.flags).toBe(0);
    const f = parseFragment(payload);
    expect(f).toMatchObject({ sequenceNumber: 3, baseMediaDecodeTime: 90_000, isSync: false });
    expect(f.samples[0]!.size).toBe(44);
  });

  it('repeats no init segment when the encoder resends the same avcC and size', () => {
    const m = new FragmentMuxer();
    m.mux(chunk('key', 0, FULL_HD), timing(0), 1);
    const { messages } = m.mux(chunk('key', 1, { ...FULL_HD, avcC: AVCC_40.slice() }), timing(90_000), 3);
    expect(messages.map((x) => x.kind)).toEqual(['fragment']);
    expect(messages[0]!.join).toBe(true);
  });

  it('writes a new init segment when the avcC or the size changes', () => {
    const m = new FragmentMuxer();
    m.mux(chunk('key', 0, FULL_HD), timing(0), 1);
    const a = m.mux(chunk('key', 1, { avcC: AVCC_31, width: 1280, height: 720 }), timing(90_000), 3);
    expect(a.messages.map((x) => [x.sequence, x.kind])).toEqual([
      [3, 'init'],
      [4, 'fragment'],
    ]);
    expect(parseInitSegment(decodeMediaMessage(a.messages[0]!.data).payload).codec).toBe('avc1.42C01F');
    const b = m.mux(chunk('key', 2, { avcC: AVCC_31, width: 1280, height: 718 }), timing(180_000), 5);
    expect(b.messages.map((x) => x.kind)).toEqual(['init', 'fragment']);
  });

  it('drops delta frames that have no init segment in front of them', () => {
    const m = new FragmentMuxer();
    expect(m.mux(chunk('delta', 0), timing(0), 1)).toEqual({ messages: [], dropped: 'no-init-segment' });
    m.mux(chunk('key', 1, FULL_HD), timing(90_000), 1);
    expect(m.mux(chunk('delta', 2, { avcC: AVCC_31, width: 1280, height: 720 }), timing(180_000), 3).dropped).toBe(
      'delta-after-new-init',
    );
  });

  it('re-sends the init segment after reset() (new stream) from the stored avcC', () => {
    const m = new FragmentMuxer();
    m.mux(chunk('key', 0, FULL_HD), timing(0), 1);
    m.mux(chunk('delta', 1), timing(90_000), 3);
    m.reset();
    expect(m.mux(chunk('delta', 2), timing(0), 1).dropped).toBe('delta-after-new-init');
    const { messages } = m.mux(chunk('key', 3), timing(90_000), 1);
    expect(messages.map((x) => [x.sequence, x.kind])).toEqual([
      [1, 'init'],
      [2, 'fragment'],
    ]);
    expect(parseInitSegment(decodeMediaMessage(messages[0]!.data).payload).width).toBe(1920);
  });

  it('keeps a private copy of the avcC', () => {
    const m = new FragmentMuxer();
    const avcC = AVCC_40.slice();
    m.mux(chunk('key', 0, { ...FULL_HD, avcC }), timing(0), 1);
    avcC[3] = 0x1f;
    expect(m.currentInit!.codec).toBe('avc1.42C028');
  });

  it('throws a RangeError when media time does not increase', () => {
    const m = new FragmentMuxer();
    m.mux(chunk('key', 0, FULL_HD), timing(90_000), 1);
    expect(() => m.mux(chunk('delta', 1), timing(90_000), 3)).toThrow('timing.mediaTime must increase: 90000 after 90000');
  });

  it('throws a TypeError on malformed input', () => {
    const m = new FragmentMuxer();
    const ok = chunk('key', 0, FULL_HD);
    expect(() => m.mux(null as never, timing(0), 1)).toThrow('chunk must be an object');
    expect(() => m.mux({ ...ok, type: 'idr' as never }, timing(0), 1)).toThrow("chunk.type must be 'key' or 'delta', got \"idr\"");
    expect(() => m.mux({ ...ok, data: new Uint8Array(0) }, timing(0), 1)).toThrow('chunk.data must be a non-empty Uint8Array');
    expect(() => m.mux({ ...ok, decoderConfig: { avcC: new Uint8Array(3), width: 2, height: 2 } }, timing(0), 1)).toThrow(
      'chunk.decoderConfig.avcC must be a Uint8Array',
    );
    expect(() => m.mux({ ...ok, decoderConfig: { ...FULL_HD, width: 0 } }, timing(0), 1)).toThrow(
      'chunk.decoderConfig.width must be an integer in [2, 4096], got 0',
    );
    expect(() => m.mux(ok, null as never, 1)).toThrow('timing must be an object');
    expect(() => m.mux(ok, { ...timing(0), mediaTime: -1 }, 1)).toThrow('timing.mediaTime must be an integer >= 0, got -1');
    expect(() => m.mux(ok, { ...timing(0), duration: 0 }, 1)).toThrow('timing.duration must be an integer in [1, 4294967295], got 0');
    expect(() => m.mux(ok, { ...timing(0), captureTimeMs: NaN }, 1)).toThrow('timing.captureTimeMs must be a finite number');
    expect(() => m.mux(ok, timing(0), 0)).toThrow('nextSequence must be an integer >= 1, got 0');
  });
});
