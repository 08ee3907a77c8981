import { expectFmp4Error } from '../testing/fixtures';
import { annexBToAvcc, nalusToAvcc, splitAccessUnits, splitAnnexB, splitAvcc } from './annexb';

const arr = (xs: Uint8Array[]): number[][] => xs.map((x) => [...x]);

describe('splitAnnexB (ITU-T H.264 Annex B)', () => {
  it('splits on 3- and 4-byte start codes and returns subarrays', () => {
    const data = new Uint8Array([
      0x00, 0x00, 0x00, 0x01, 0x67, 0x42, 0xc0, //  4-byte start code + SPS
      0x00, 0x00, 0x01, 0x68, 0xce, //              3-byte start code + PPS
      0x00, 0x00, 0x00, 0x01, 0x65, 0x88, 0x84, //  IDR slice
    ]);
    const nalus = splitAnnexB(data);
    expect(arr(nalus)).toEqual([[0x67, 0x42, 0xc0], [0x68, 0xce], [0x65, 0x88, 0x84]]);
    expect(nalus[0].buffer).toBe(data.buffer);
  });

  it('drops leading zero bytes, trailing_zero_8bits and empty NAL units', () => {
    const data = new Uint8Array([0, 0, 0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 0, 1, 0, 0, 1, 0x41, 0x9a, 0, 0]);
    expect(arr(splitAnnexB(data))).toEqual([[0x09, 0xf0], [0x41, 0x9a]]);
  });

  it('keeps 00 00 03 (emulation prevention) inside a NAL unit', () => {
    expect(arr(splitAnnexB(new Uint8Array([0, 0, 1, 0x65, 0, 0, 3, 1, 0x80])))).toEqual([[0x65, 0, 0, 3, 1, 0x80]]);
  });

  it('returns [] for empty or all-zero input', () => {
    expect(splitAnnexB(new Uint8Array(0))).toEqual([]);
    expect(splitAnnexB(new Uint8Array(5))).toEqual([]);
  });

  it('rejects data before the first start code', () => {
    expectFmp4Error(() => splitAnnexB(new Uint8Array([0x65, 0, 0, 1, 0x65])), 'invalid-field', /offset 0: invalid Annex B stream: data before the first start code/);
    expectFmp4Error(() => splitAnnexB(new Uint8Array([0, 1, 0x65])), 'invalid-field', /offset 1/);
  });
});

describe('annexBToAvcc / nalusToAvcc (ISO/IEC 14496-15 §5.3.2)', () => {
  it('replaces start codes with 4-byte big-endian lengths', () => {
    const annexB = new Uint8Array([0, 0, 0, 1, 0x09, 0xf0, 0, 0, 1, 0x65, 0x88, 0x84, 0x00]);
    expect([...annexBToAvcc(annexB)]).toEqual([
      0x00, 0x00, 0x00, 0x02, 0x09, 0xf0, //       length 2 + AUD
      0x00, 0x00, 0x00, 0x03, 0x65, 0x88, 0x84, // length 3 + IDR slice
    ]);
  });

  it('nalusToAvcc of nothing is empty; splitAvcc inverts it', () => {
    expect(nalusToAvcc([]).length).toBe(0);
    const nalus = [new Uint8Array([0x67, 1, 2]), new Uint8Array(300).fill(0x41)];
    expect(arr(splitAvcc(nalusToAvcc(nalus)))).toEqual(arr(nalus));
  });
});

describe('splitAvcc', () => {
  it('supports 1- and 2-byte lengths', () => {
    expect(arr(splitAvcc(new Uint8Array([2, 0x65, 0x80, 1, 0x41]), 1))).toEqual([[0x65, 0x80], [0x41]]);
    expect(arr(splitAvcc(new Uint8Array([0, 1, 0x65]), 2))).toEqual([[0x65]]);
  });

  it('rejects lengths past the end, partial prefixes and zero lengths', () => {
    expectFmp4Error(() => splitAvcc(new Uint8Array([0, 0, 0, 5, 0x65])), 'truncated', /offset 4: need 5 bytes, only 1 available/);
    expectFmp4Error(() => splitAvcc(new Uint8Array([0, 0, 0, 1, 0x65, 0, 0])), 'truncated', /offset 5: need 4 bytes, only 2/);
    expectFmp4Error(() => splitAvcc(new Uint8Array([0, 0, 0, 0])), 'invalid-field', /invalid NAL unit length: zero/);
  });
});

describe('splitAccessUnits (ITU-T H.264 §7.4.1.2.3)', () => {
  const aud = new Uint8Array([0x09, 0xf0]);
  const sps = new Uint8Array([0x67, 0x42]);
  const pps = new Uint8Array([0x68, 0xce]);
  const sei = new Uint8Array([0x06, 0x05]);
  const idr = new Uint8Array([0x65, 0x88]); // first_mb_in_slice 0 (leading bit 1)
  const idr2 = new Uint8Array([0x65, 0x40]); // second slice of the same picture (first_mb_in_slice 1)
  const p = new Uint8Array([0x41, 0x9a]);

  it('starts a new unit at a parameter set, SEI, AUD or first slice of a picture', () => {
    const units = splitAccessUnits([sps, pps, sei, idr, idr2, p, p, aud, p, sps, pps, idr]);
    expect(units.map((u) => u.map((n) => n[0]))).toEqual([
      [0x67, 0x68, 0x06, 0x65, 0x65],
      [0x41],
      [0x41],
      [0x09, 0x41],
      [0x67, 0x68, 0x65],
    ]);
  });

  it('returns [] for no NAL units', () => {
    expect(splitAccessUnits([])).toEqual([]);
  });
});
