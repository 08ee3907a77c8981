// Byte-exact fixtures for the fragment boxes, written field by field from
// ISO/IEC 14496-12 (§8.8.5 mfhd, §8.8.7 tfhd, §8.8.12 tfdt, §8.8.8 trun,
// §8.16.5 prft, §8.1.1 mdat), not from the writer's output.
import { writeFragment } from './fragment';
import { ByteWriter } from './byte-writer';
import {
  MOOF_SIZE,
  PRFT_SIZE,
  TRAF_SIZE,
  writeMdat,
  writeMfhd,
  writePrft,
  writeTfdt,
  writeTfhd,
  writeTrun,
} from './fragment-boxes';
import { unixMsToNtp } from '../time/ntp';

const BMDT = 123456789012; // 0x0000001C_BE991A14 ticks (~15.9 days at 90 kHz): needs the 64-bit field
const CAPTURE_MS = 1700000000500; // 2023-11-14T22:13:20.500Z
const SAMPLE = new Uint8Array([0x00, 0x00, 0x00, 0x02, 0x65, 0x88]); // one 2-byte IDR slice NAL, AVCC

const MFHD = [
  0x00, 0x00, 0x00, 0x10, //  size 16
  0x6d, 0x66, 0x68, 0x64, //  'mfhd'
  0x00, //                    version 0
  0x00, 0x00, 0x00, //        flags 0
  0x00, 0x00, 0x00, 0x07, //  sequence_number 7
];

const TFHD = [
  0x00, 0x00, 0x00, 0x10, //  size 16
  0x74, 0x66, 0x68, 0x64, //  'tfhd'
  0x00, //                    version 0
  0x02, 0x00, 0x00, //        flags 0x020000 default-base-is-moof (no optional fields)
  0x00, 0x00, 0x00, 0x01, //  track_ID 1
];

const TFDT = [
  0x00, 0x00, 0x00, 0x14, //  size 20
  0x74, 0x66, 0x64, 0x74, //  'tfdt'
  0x01, //                    version 1: 64-bit baseMediaDecodeTime
  0x00, 0x00, 0x00, //        flags 0
  0x00, 0x00, 0x00, 0x1c, 0xbe, 0x99, 0x1a, 0x14, // baseMediaDecodeTime 123456789012
];

const TRUN_SYNC = [
  0x00, 0x00, 0x00, 0x20, //  size 32
  0x74, 0x72, 0x75, 0x6e, //  'trun'
  0x00, //                    version 0
  0x00, 0x07, 0x01, //        flags: sample-flags 0x400 | sample-size 0x200 | sample-duration 0x100 | data-offset 0x001
  0x00, 0x00, 0x00, 0x01, //  sample_count 1
  0x00, 0x00, 0x00, 0x6c, //  data_offset 108 = moof 100 + mdat header 8
  0x00, 0x00, 0x46, 0x50, //  sample_duration 18000 (1/5 s at 90 kHz)
  0x00, 0x00, 0x00, 0x06, //  sample_size 6
  0x02, 0x00, 0x00, 0x00, //  sample_flags: is_leading 0, depends_on 2, is_depended_on 0, redundancy 0, non_sync 0
];

const TRUN_NON_SYNC = [
  ...TRUN_SYNC.slice(0, 28),
  0x01, 0x01, 0x00, 0x00, //  sample_flags: depends_on 1, sample_is_non_sync_sample 1
];

const PRFT = [
  0x00, 0x00, 0x00, 0x20, //  size 32
  0x70, 0x72, 0x66, 0x74, //  'prft'
  0x01, //                    version 1: 64-bit media_time
  0x00, 0x00, 0x18, //        flags 24: UTC time of capture (§8.16.5.3)
  0x00, 0x00, 0x00, 0x01, //  reference_track_ID 1
  0xe8, 0xfe, 0x6f, 0x80, //  ntp seconds 3908988800 = 1700000000 + 2208988800 (1900 -> 1970)
  0x80, 0x00, 0x00, 0x00, //  ntp fraction 0.5 s = 2^31
  0x00, 0x00, 0x00, 0x1c, 0xbe, 0x99, 0x1a, 0x14, // media_time 123456789012 = tfdt
];

const MDAT = [
  0x00, 0x00, 0x00, 0x0e, //  size 14 = 8 + 6
  0x6d, 0x64, 0x61, 0x74, //  'mdat'
  ...SAMPLE,
];

const PARAMS = {
  sequenceNumber: 7,
  trackId: 1,
  baseMediaDecodeTime: BMDT,
  duration: 18000,
  sampleSize: SAMPLE.length,
  sampleFlags: 0x02000000,
};

function write(size: number, fn: (w: ByteWriter) => void): number[] {
  const w = new ByteWriter(size);
  fn(w);
  expect(w.pos).toBe(size);
  return [...w.bytes];
}

describe('fragment box writers (byte-exact)', () => {
  it('mfhd', () => expect(write(16, (w) => writeMfhd(w, 7))).toEqual(MFHD));
  it('tfhd', () => expect(write(16, (w) => writeTfhd(w, 1))).toEqual(TFHD));
  it('tfdt v1 with a value above 2^32', () => expect(write(20, (w) => writeTfdt(w, BMDT))).toEqual(TFDT));
  it('trun, sync sample', () => expect(write(32, (w) => writeTrun(w, PARAMS, 108))).toEqual(TRUN_SYNC));
  it('trun, non-sync sample', () =>
    expect(write(32, (w) => writeTrun(w, { ...PARAMS, sampleFlags: 0x01010000 }, 108))).toEqual(TRUN_NON_SYNC));
  it('prft v1, flags 24', () =>
    expect(write(PRFT_SIZE, (w) => writePrft(w, 1, unixMsToNtp(CAPTURE_MS), BMDT))).toEqual(PRFT));
  it('mdat', () => expect(write(14, (w) => writeMdat(w, SAMPLE))).toEqual(MDAT));

  it('tfdt at 2^53-1 (largest exact value)', () => {
    expect(write(20, (w) => writeTfdt(w, Number.MAX_SAFE_INTEGER)).slice(12)).toEqual([
      0x00, 0x1f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    ]);
  });
});

describe('writeFragment (byte-exact)', () => {
  const MOOF_HEADER = [0x00, 0x00, 0x00, 0x64, 0x6d, 0x6f, 0x6f, 0x66]; // size 100, 'moof'
  const TRAF_HEADER = [0x00, 0x00, 0x00, 0x4c, 0x74, 0x72, 0x61, 0x66]; // size 76, 'traf'

  it('is prft + moof(mfhd, traf(tfhd, tfdt, trun)) + mdat', () => {
    const out = writeFragment({
      sequenceNumber: 7,
      baseMediaDecodeTime: BMDT,
      duration: 18000,
      isSync: true,
      sample: SAMPLE,
      captureTimeMs: CAPTURE_MS,
    });
    expect(MOOF_SIZE).toBe(100);
    expect(TRAF_SIZE).toBe(76);
    expect([...out]).toEqual([...PRFT, ...MOOF_HEADER, ...MFHD, ...TRAF_HEADER, ...TFHD, ...TFDT, ...TRUN_SYNC, ...MDAT]);
    expect(out.length).toBe(140 + SAMPLE.length);
  });

  it('omits prft without captureTimeMs; trackId and non-sync flags land in tfhd/trun', () => {
    const out = writeFragment({ sequenceNumber: 7, baseMediaDecodeTime: BMDT, duration: 18000, isSync: false, sample: SAMPLE, trackId: 1 });
    expect([...out]).toEqual([...MOOF_HEADER, ...MFHD, ...TRAF_HEADER, ...TFHD, ...TFDT, ...TRUN_NON_SYNC, ...MDAT]);
  });

  it('copies the sample (the output does not alias the input)', () => {
    const sample = SAMPLE.slice();
    const out = writeFragment({ sequenceNumber: 1, baseMediaDecodeTime: 0, duration: 1, isSync: true, sample });
    sample[4] = 0;
    expect(out[out.length - 2]).toBe(0x65);
    expect(out.byteOffset).toBe(0);
    expect(out.buffer.byteLength).toBe(out.length); // one exact-size allocation
  });

  it.each([
    ['sequenceNumber', { sequenceNumber: 0 }, /sequenceNumber must be an integer in \[1, 4294967295\], got 0/],
    ['sequenceNumber', { sequenceNumber: 2 ** 32 }, /sequenceNumber must be an integer/],
    ['baseMediaDecodeTime', { baseMediaDecodeTime: -1 }, /baseMediaDecodeTime must be an integer in \[0, 9007199254740991\]/],
    ['baseMediaDecodeTime', { baseMediaDecodeTime: 1.5 }, /baseMediaDecodeTime must be an integer/],
    ['duration', { duration: 0 }, /duration must be an integer in \[1, 4294967295\], got 0/],
    ['sample', { sample: new Uint8Array(0) }, /sample must be a Uint8Array of at least 1 byte/],
    ['trackId', { trackId: 0 }, /trackId must be an integer in \[1, 4294967295\]/],
    ['captureTimeMs', { captureTimeMs: Number.NaN }, /captureTimeMs must be Unix epoch milliseconds/],
    ['captureTimeMs', { captureTimeMs: -1 }, /captureTimeMs must be Unix epoch milliseconds/],
    ['isSync', { isSync: 1 }, /isSync must be a boolean/],
  ])('rejects a bad %s with a TypeError', (_field, patch, message) => {
    const o = { sequenceNumber: 1, baseMediaDecodeTime: 0, duration: 18000, isSync: true, sample: SAMPLE, ...patch };
    expect(() => writeFragment(o as Parameters<typeof writeFragment>[0])).toThrow(TypeError);
    expect(() => writeFragment(o as Parameters<typeof writeFragment>[0])).toThrow(message);
  });
});
