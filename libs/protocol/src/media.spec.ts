import { MAX_MEDIA_MESSAGE_BYTES, MAX_SEQUENCE } from './constants';
import { ProtocolError } from './errors';
import {
  decodeMediaMessage,
  encodeMediaHeader,
  encodeMediaMessage,
  hasMediaFlag,
  MEDIA_HEADER_BYTES,
  MediaFlags,
  MediaHeader,
  mediaHeaderByteLength,
  MediaKind,
  mediaMessageByteLength,
  readMediaHeader,
  restampMediaHeader,
  writeMediaHeader,
} from './media';

/**
 * A fragment sent by the server to a Proctor, annotated field by field.
 * Sequence 0x0000_0001_0000_0002 = 4294967298 exercises both 32-bit words.
 */
const FRAGMENT_MESSAGE = new Uint8Array([
  0x02, //                                           byte 0      kind: 2 = fragment
  0x01, //                                           byte 1      protocol version: 1
  0x00, 0x03, //                                     bytes 2-3   flags: 0x0003 = JOIN (bit 0) | REPLAY (bit 1)
  0x00, 0x00, 0x01, 0x2c, //                         bytes 4-7   channel: 300
  0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, // bytes 8-15  sequence: 2^32 + 2 = 4294967298
  0xde, 0xad, 0xbe, 0xef, //                         bytes 16-19 payload (stand-in for moof + mdat)
]);
const FRAGMENT_HEADER: MediaHeader = {
  kind: MediaKind.Fragment,
  flags: MediaFlags.Join | MediaFlags.Replay,
  channel: 300,
  sequence: 4294967298,
};

/** An init segment uploaded by a Sentinel. */
const INIT_MESSAGE = new Uint8Array([
  0x01, //                                           byte 0      kind: 1 = init segment
  0x01, //                                           byte 1      protocol version: 1
  0x00, 0x00, //                                     bytes 2-3   flags: none
  0x00, 0x00, 0x00, 0x00, //                         bytes 4-7   channel: 0 (Sentinel upload)
  0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, // bytes 8-15  sequence: 1 (first message of a stream)
  0x66, 0x74, 0x79, 0x70, //                         bytes 16-19 payload ('ftyp', stand-in)
]);

/** A valid 16-byte header (fragment, no flags, channel 0, sequence 7) plus `payloadBytes` bytes; patch bytes to break it. */
function message(payloadBytes = 1, patch: (bytes: Uint8Array) => void = () => undefined): Uint8Array {
  const bytes = new Uint8Array(16 + payloadBytes);
  bytes.set([0x02, 0x01, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x07]);
  patch(bytes);
  return bytes;
}

function decodeError(data: Uint8Array, options?: Parameters<typeof decodeMediaMessage>[1]): ProtocolError {
  try {
    decodeMediaMessage(data, options);
  } catch (err) {
    expect(err).toBeInstanceOf(ProtocolError);
    return err as ProtocolError;
  }
  throw new Error('expected decodeMediaMessage to throw');
}

describe('media header layout', () => {
  it('is 16 bytes', () => {
    expect(MEDIA_HEADER_BYTES).toBe(16);
    expect(mediaHeaderByteLength()).toBe(16);
    expect(mediaMessageByteLength(4)).toBe(20);
  });

  it('encodes the annotated fragment fixture byte for byte', () => {
    expect(encodeMediaMessage(FRAGMENT_HEADER, new Uint8Array([0xde, 0xad, 0xbe, 0xef]))).toEqual(FRAGMENT_MESSAGE);
    expect(encodeMediaHeader(FRAGMENT_HEADER)).toEqual(FRAGMENT_MESSAGE.subarray(0, 16));
  });

  it('decodes the annotated fixtures', () => {
    const fragment = decodeMediaMessage(FRAGMENT_MESSAGE, { direction: 'server-to-proctor' });
    expect(fragment.header).toEqual(FRAGMENT_HEADER);
    expect(Array.from(fragment.payload)).toEqual([0xde, 0xad, 0xbe, 0xef]);
    expect(hasMediaFlag(fragment.header.flags, MediaFlags.Join)).toBe(true);
    expect(hasMediaFlag(fragment.header.flags, MediaFlags.Replay)).toBe(true);

    const init = decodeMediaMessage(INIT_MESSAGE, { direction: 'sentinel-to-server' });
    expect(init.header).toEqual({ kind: MediaKind.InitSegment, flags: 0, channel: 0, sequence: 1 });
    expect(Array.from(init.payload)).toEqual([0x66, 0x74, 0x79, 0x70]);
  });

  it('writes the header at an offset of a larger view and touches nothing else', () => {
    const bytes = new Uint8Array(40).fill(0xaa);
    writeMediaHeader(new DataView(bytes.buffer), 10, FRAGMENT_HEADER);
    expect(bytes.subarray(10, 26)).toEqual(FRAGMENT_MESSAGE.subarray(0, 16));
    expect(bytes.subarray(0, 10).every((b) => b === 0xaa)).toBe(true);
    expect(bytes.subarray(26).every((b) => b === 0xaa)).toBe(true);
  });
});

describe('round trips', () => {
  const cases: MediaHeader[] = [
    { kind: MediaKind.InitSegment, flags: 0, channel: 0, sequence: 1 },
    { kind: MediaKind.InitSegment, flags: MediaFlags.Replay, channel: 1, sequence: 2 },
    { kind: MediaKind.Fragment, flags: MediaFlags.Join, channel: 0xffffffff, sequence: 0xffffffff },
    { kind: MediaKind.Fragment, flags: 0, channel: 12, sequence: 0x1_0000_0000 },
    { kind: MediaKind.Fragment, flags: MediaFlags.Join | MediaFlags.Replay, channel: 5, sequence: MAX_SEQUENCE },
  ];
  it.each(cases)('%o', (header) => {
    const payload = new Uint8Array([1, 2, 3, 4, 5]);
    const decoded = decodeMediaMessage(encodeMediaMessage(header, payload));
    expect(decoded.header).toEqual(header);
    expect(decoded.payload).toEqual(payload);
  });

  it('encodes 2^53-1 as 00 1f ff ff ff ff ff ff', () => {
    const bytes = encodeMediaHeader({ kind: MediaKind.Fragment, flags: 0, channel: 0, sequence: MAX_SEQUENCE });
    expect(Array.from(bytes.subarray(8))).toEqual([0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
  });

  it('decodes a message that sits at an offset inside a larger buffer (Node Buffer pools)', () => {
    const pool = new Uint8Array(100);
    pool.set(FRAGMENT_MESSAGE, 33);
    const view = pool.subarray(33, 33 + FRAGMENT_MESSAGE.byteLength);
    const decoded = decodeMediaMessage(view);
    expect(decoded.header).toEqual(FRAGMENT_HEADER);
    expect(decoded.payload.byteOffset).toBe(33 + 16);
  });
});

describe('zero copy', () => {
  it('returns the payload as a subarray of the input buffer', () => {
    const input = FRAGMENT_MESSAGE.slice();
    const { payload } = decodeMediaMessage(input);
    expect(payload.buffer).toBe(input.buffer);
    expect(payload.byteOffset).toBe(input.byteOffset + 16);
    expect(payload.byteLength).toBe(input.byteLength - 16);
    input[16] = 0x11; // a write through the input shows in the payload: same memory
    expect(payload[0]).toBe(0x11);
  });

  it('works on a Node Buffer carved from the shared pool (what `ws` hands the server)', () => {
    const received = Buffer.from(FRAGMENT_MESSAGE); // small Buffers live at an offset inside an 8 KiB pool
    const { header, payload } = decodeMediaMessage(received);
    expect(header).toEqual(FRAGMENT_HEADER);
    expect(payload.buffer).toBe(received.buffer);
    expect(payload.byteOffset).toBe(received.byteOffset + 16);
  });

  it('restamps channel and flags in place, without copying, keeping kind and sequence', () => {
    const received = INIT_MESSAGE.slice();
    const before = received.buffer;
    const header = restampMediaHeader(received, { channel: 9, flags: MediaFlags.Replay });
    expect(received.buffer).toBe(before);
    expect(header).toEqual({ kind: MediaKind.InitSegment, flags: MediaFlags.Replay, channel: 9, sequence: 1 });
    expect(Array.from(received.subarray(0, 8))).toEqual([0x01, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x09]);
    expect(decodeMediaMessage(received).header).toEqual(header);
    expect(Array.from(received.subarray(16))).toEqual([0x66, 0x74, 0x79, 0x70]); // payload untouched
  });

  it('restamp keeps fields that are not given', () => {
    const bytes = FRAGMENT_MESSAGE.slice();
    expect(restampMediaHeader(bytes, { channel: 1 })).toEqual({ ...FRAGMENT_HEADER, channel: 1 });
    expect(restampMediaHeader(bytes, { flags: 0 })).toEqual({ ...FRAGMENT_HEADER, channel: 1, flags: 0 });
  });
});

describe('decodeMediaMessage rejects malformed input', () => {
  it.each(Array.from({ length: 16 }, (_, n) => n))('too short: %i bytes', (n) => {
    const err = decodeError(message(1).subarray(0, n));
    expect(err.code).toBe('bad-message');
    expect(err.fatal).toBe(true);
    expect(err.message).toContain(`media message is ${n} bytes, shorter than the 16-byte header`);
  });

  it.each([0, 3, 255])('unknown kind %i', (kind) => {
    const err = decodeError(message(1, (b) => (b[0] = kind)));
    expect(err.code).toBe('bad-message');
    expect(err.message).toContain(`kind (byte 0) is ${kind}`);
    expect(err.message).toContain('must be 1 (init segment) or 2 (fragment)');
  });

  it.each([0, 2, 255])('protocol version %i', (version) => {
    const err = decodeError(message(1, (b) => (b[1] = version)));
    expect(err.code).toBe('unsupported-version');
    expect(err.fatal).toBe(true);
    expect(err.message).toContain(`protocol version ${version} is not supported`);
  });

  it('checks the version before the kind (a future version may add kinds)', () => {
    expect(decodeError(message(1, (b) => b.set([9, 2]))).code).toBe('unsupported-version');
  });

  it.each([
    ['0x0004', 0x0004, '0x0004'],
    ['0x8000', 0x8000, '0x8000'],
    ['0xffff', 0xffff, '0xfffc'],
  ])('reserved flag bits: flags %s', (_label, flags, reserved) => {
    const err = decodeError(message(1, (b) => new DataView(b.buffer).setUint16(2, flags)));
    expect(err.code).toBe('bad-message');
    expect(err.message).toContain(`reserved bits ${reserved} must be 0`);
  });

  it('JOIN on an init segment', () => {
    const err = decodeError(message(1, (b) => b.set([0x01, 0x01, 0x00, 0x01])));
    expect(err.code).toBe('bad-message');
    expect(err.message).toContain('JOIN on an init segment');
  });

  it('sequence 0', () => {
    const err = decodeError(message(1, (b) => b.fill(0, 8, 16)));
    expect(err.code).toBe('bad-message');
    expect(err.message).toContain('sequence number (bytes 8-15) is 0');
  });

  it.each([
    ['2^53', [0x00, 0x20, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00]],
    ['2^64-1', [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]],
  ])('sequence %s (above 2^53-1)', (_name, bytes) => {
    const err = decodeError(message(1, (b) => b.set(bytes, 8)));
    expect(err.code).toBe('bad-message');
    expect(err.message).toContain('sequence number (bytes 8-15) is above 2^53-1');
  });

  it('empty payload', () => {
    const err = decodeError(message(0));
    expect(err.code).toBe('bad-message');
    expect(err.message).toContain('(fragment) has no payload');
    expect(decodeError(message(0, (b) => (b[0] = 1))).message).toContain('(init segment) has no payload');
  });

  it('oversize: more than MAX_MEDIA_MESSAGE_BYTES, closing with 1009', () => {
    const err = decodeError(message(MAX_MEDIA_MESSAGE_BYTES - 16 + 1));
    expect(err.code).toBe('bad-message');
    expect(err.closeCode).toBe(1009);
    expect(err.message).toContain(`media message is ${MAX_MEDIA_MESSAGE_BYTES + 1} bytes, over the limit of ${MAX_MEDIA_MESSAGE_BYTES}`);
  });

  it('accepts exactly MAX_MEDIA_MESSAGE_BYTES', () => {
    expect(decodeMediaMessage(message(MAX_MEDIA_MESSAGE_BYTES - 16)).payload.byteLength).toBe(MAX_MEDIA_MESSAGE_BYTES - 16);
  });

  describe('direction rules', () => {
    it('sentinel-to-server: channel must be 0', () => {
      const err = decodeError(message(1, (b) => (b[7] = 1)), { direction: 'sentinel-to-server' });
      expect(err.code).toBe('bad-message');
      expect(err.message).toContain('channel (bytes 4-7) is 1; a Sentinel sends channel 0');
    });

    it('sentinel-to-server: REPLAY is refused', () => {
      const err = decodeError(message(1, (b) => (b[3] = MediaFlags.Replay)), { direction: 'sentinel-to-server' });
      expect(err.message).toContain('REPLAY on a Sentinel upload');
    });

    it('server-to-proctor: channel must be >= 1', () => {
      const err = decodeError(message(1), { direction: 'server-to-proctor' });
      expect(err.message).toContain('channel (bytes 4-7) is 0');
    });

    it('without a direction both are accepted', () => {
      expect(decodeMediaMessage(message(1, (b) => (b[3] = MediaFlags.Replay))).header.channel).toBe(0);
    });
  });

  it('readMediaHeader accepts the header alone', () => {
    expect(readMediaHeader(FRAGMENT_MESSAGE.subarray(0, 16))).toEqual(FRAGMENT_HEADER);
  });
});

describe('encoders refuse invalid headers with TypeError naming the field', () => {
  const good: MediaHeader = { kind: MediaKind.Fragment, flags: 0, channel: 0, sequence: 1 };
  it.each([
    [{ ...good, kind: 3 as MediaKind }, 'header.kind'],
    [{ ...good, flags: 4 }, 'header.flags'],
    [{ ...good, flags: 0.5 }, 'header.flags'],
    [{ ...good, kind: MediaKind.InitSegment, flags: MediaFlags.Join }, 'header.flags must not set MediaFlags.Join'],
    [{ ...good, channel: -1 }, 'header.channel'],
    [{ ...good, channel: 2 ** 32 }, 'header.channel'],
    [{ ...good, sequence: 0 }, 'header.sequence'],
    [{ ...good, sequence: 1.5 }, 'header.sequence'],
    [{ ...good, sequence: MAX_SEQUENCE + 1 }, 'header.sequence'],
  ])('%o', (header, field) => {
    expect(() => encodeMediaHeader(header)).toThrow(TypeError);
    expect(() => encodeMediaHeader(header)).toThrow(field);
  });

  it('empty payload', () => {
    expect(() => encodeMediaMessage(good, new Uint8Array(0))).toThrow('payload must not be empty');
  });

  it('oversize payload', () => {
    expect(() => encodeMediaMessage(good, new Uint8Array(MAX_MEDIA_MESSAGE_BYTES - 15))).toThrow(RangeError);
  });

  it('no room in the view', () => {
    expect(() => writeMediaHeader(new DataView(new ArrayBuffer(20)), 5, good)).toThrow(RangeError);
    expect(() => writeMediaHeader(new DataView(new ArrayBuffer(20)), 4, good)).not.toThrow();
  });

  it('restamp with a bad channel', () => {
    expect(() => restampMediaHeader(FRAGMENT_MESSAGE.slice(), { channel: -2 })).toThrow('header.channel');
    expect(() => restampMediaHeader(new Uint8Array(3), { channel: 1 })).toThrow(ProtocolError);
  });
});
