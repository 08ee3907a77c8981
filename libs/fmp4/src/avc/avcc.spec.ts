import { AVCC, PPS, SPS, expectFmp4Error } from '../testing/fixtures';
import { buildAvcC, codecStringFromAvcC, parseAvcC } from './avcc';

describe('buildAvcC (ISO/IEC 14496-15 §5.3.3.1.1)', () => {
  it('builds the record byte for byte', () => {
    expect([...buildAvcC(SPS, PPS)]).toEqual([...AVCC]);
  });

  it('copies profile, constraint byte and level from SPS bytes 1..3', () => {
    const main40 = new Uint8Array([0x27, 0x4d, 0x40, 0x28, 0xaa]); // nal_ref_idc 1, Main, constraint_set1, level 4.0
    const avcC = buildAvcC(main40, PPS);
    expect([...avcC.subarray(0, 8)]).toEqual([0x01, 0x4d, 0x40, 0x28, 0xff, 0xe1, 0x00, 0x05]);
    expect(codecStringFromAvcC(avcC)).toBe('avc1.4D4028');
  });

  it('rejects a non-SPS, a non-PPS and High profile', () => {
    expectFmp4Error(() => buildAvcC(PPS, PPS), 'invalid-field', /invalid sps: expected an SPS NAL unit \(type 7\)/);
    expectFmp4Error(() => buildAvcC(SPS, SPS), 'invalid-field', /invalid pps: expected a PPS NAL unit \(type 8\)/);
    expectFmp4Error(() => buildAvcC(SPS.subarray(0, 3), PPS), 'invalid-field', /invalid sps/);
    expectFmp4Error(
      () => buildAvcC(new Uint8Array([0x67, 100, 0x00, 0x28]), PPS),
      'unsupported',
      /profile_idc 100 needs the chroma_format\/bit_depth extension/,
    );
    expectFmp4Error(() => buildAvcC(SPS, new Uint8Array(70000).fill(0x68)), 'invalid-field', /at most 65535 bytes/);
  });
});

describe('codecStringFromAvcC (RFC 6381 §3.3)', () => {
  it('formats bytes 1..3 as uppercase hex', () => {
    expect(codecStringFromAvcC(AVCC)).toBe('avc1.42C01F');
    const chromium = AVCC.slice();
    chromium[2] = 0xe0; // constraint_set0..2
    expect(codecStringFromAvcC(chromium)).toBe('avc1.42E01F');
  });

  it('rejects configurationVersion != 1', () => {
    const bad = AVCC.slice();
    bad[0] = 0;
    const e = expectFmp4Error(() => codecStringFromAvcC(bad), 'invalid-field', /'avcC' at offset 0: invalid configurationVersion: expected 1, got 0/);
    expect(e.boxPath).toBe('avcC');
  });

  it('rejects records shorter than 7 bytes and SPS/PPS lengths past the end', () => {
    expectFmp4Error(() => codecStringFromAvcC(AVCC.subarray(0, 4)), 'truncated', /'avcC' at offset 0: need 7 bytes, only 4 available/);
    expectFmp4Error(() => codecStringFromAvcC(AVCC.subarray(0, 10)), 'truncated', /'avcC' at offset 8: need 9 bytes, only 2 available/);
    expectFmp4Error(() => codecStringFromAvcC(AVCC.subarray(0, 17)), 'truncated', /'avcC' at offset 17: need 1 bytes, only 0/);
  });

  it('rejects records without SPS or PPS, with a wrong NAL type, or with reserved lengthSizeMinusOne 2', () => {
    expectFmp4Error(
      () => codecStringFromAvcC(new Uint8Array([1, 0x42, 0xc0, 0x1f, 0xff, 0xe0, 0x00])),
      'invalid-field',
      /invalid numOfSequenceParameterSets: an avc1 record needs at least one SequenceParameterSet/,
    );
    const noPps = AVCC.slice(0, 18);
    noPps[17] = 0;
    expectFmp4Error(() => codecStringFromAvcC(noPps), 'invalid-field', /numOfPictureParameterSets/);
    const wrongType = AVCC.slice();
    wrongType[8] = 0x68; // SPS slot holds a PPS header
    expectFmp4Error(() => codecStringFromAvcC(wrongType), 'invalid-field', /SequenceParameterSet\[0\]: not a NAL unit of type 7/);
    const len3 = AVCC.slice();
    len3[4] = 0xfe;
    expectFmp4Error(() => codecStringFromAvcC(len3), 'invalid-field', /lengthSizeMinusOne: value 2 \(3-byte lengths\) is reserved/);
  });
});

describe('parseAvcC', () => {
  it('returns fields and zero-copy parameter sets', () => {
    const c = parseAvcC(AVCC);
    expect(c).toMatchObject({ profile: 0x42, constraintFlags: 0xc0, level: 0x1f, nalLengthSize: 4 });
    expect([...c.sps[0]]).toEqual([...SPS]);
    expect([...c.pps[0]]).toEqual([...PPS]);
    expect(c.sps[0].buffer).toBe(AVCC.buffer);
  });

  it('accepts High-profile extension bytes after the PPS array', () => {
    const withExt = new Uint8Array([...AVCC, 0xfd, 0xf8, 0xf8, 0x00]);
    expect(parseAvcC(withExt).pps).toHaveLength(1);
  });
});
