// Independent parser: mp4box.js (GPAC) reads our init segment and fragments,
// appended one by one as a live player would, and must report the samples we wrote.
import { createFile, MP4BoxBuffer, type Movie, type Sample } from 'mp4box';
import { AVCC } from '../testing/fixtures';
import { writeFragment } from '../writer/fragment';
import { writeInitSegment } from '../writer/init-segment';

/** Fields of mp4box's prftBox (ISO/IEC 14496-12 §8.16.5). */
interface PrftView {
  version: number;
  flags: number;
  ref_track_id: number;
  ntp_timestamp: number;
  media_time: number;
}

interface Written {
  dts: number;
  duration: number;
  isSync: boolean;
  size: number;
}

/** 3 GOPs: 5 fps (18000 ticks) for 4 frames, then 2 fps (45000 ticks) for 3, then 5 fps again, with an IDR at every fps change. */
function plan(): Written[] {
  const out: Written[] = [];
  let dts = 0;
  const gop = (frames: number, duration: number): void => {
    for (let i = 0; i < frames; i++) {
      out.push({ dts, duration, isSync: i === 0, size: 0 });
      dts += duration;
    }
  };
  gop(4, 18000);
  gop(3, 45000);
  gop(4, 18000);
  return out;
}

function sampleBytes(i: number, isSync: boolean): Uint8Array {
  const nalLength = 20 + i * 7;
  const s = new Uint8Array(4 + nalLength).fill(0x5a);
  new DataView(s.buffer).setUint32(0, nalLength);
  s[4] = isSync ? 0x65 : 0x41; // IDR slice / non-IDR slice NAL header
  return s;
}

describe('mp4box.js reads what we write', () => {
  it('parses init + fragments appended incrementally', () => {
    const file = createFile();
    let info: Movie | undefined;
    const samples: Sample[] = [];
    const errors: string[] = [];
    file.onError = (module: string, message: string) => errors.push(`${module}: ${message}`);
    file.onReady = (movie: Movie) => {
      info = movie;
      file.setExtractionOptions(movie.videoTracks[0]!.id, undefined, { nbSamples: 1 });
      file.start();
    };
    file.onSamples = (_id: number, _user: unknown, batch: Sample[]) => samples.push(...batch);

    let fileStart = 0;
    const append = (bytes: Uint8Array): void => {
      const buf = MP4BoxBuffer.fromArrayBuffer(bytes.slice().buffer, fileStart);
      fileStart += bytes.length;
      file.appendBuffer(buf);
    };

    append(writeInitSegment({ width: 1280, height: 720, avcC: AVCC }));
    expect(info).toBeDefined();
    const written = plan();
    written.forEach((w, i) => {
      const sample = sampleBytes(i, w.isSync);
      w.size = sample.length;
      append(
        writeFragment({
          sequenceNumber: i + 2,
          baseMediaDecodeTime: w.dts,
          duration: w.duration,
          isSync: w.isSync,
          sample,
          captureTimeMs: 1.7e12 + w.dts / 90,
        }),
      );
    });
    file.flush();

    expect(errors).toEqual([]);
    const track = info!.videoTracks[0]!;
    expect(info!.isFragmented).toBe(true);
    expect(track).toMatchObject({ id: 1, codec: 'avc1.42c01f', timescale: 90000 });
    expect(track.video).toMatchObject({ width: 1280, height: 720 });

    expect(
      samples.map((s) => ({ dts: s.dts, duration: s.duration, isSync: s.is_sync, size: s.size })),
    ).toEqual(written);
    expect(samples.map((s) => s.cts)).toEqual(written.map((w) => w.dts));
    expect(samples.map((s) => s.depends_on)).toEqual(written.map((w) => (w.isSync ? 2 : 1)));
    expect(samples[1]!.data![4]).toBe(0x41);

    // Top-level layout and the prft boxes as mp4box decodes them.
    const types = file.boxes.map((b) => b.type);
    expect(types.slice(0, 5)).toEqual(['ftyp', 'moov', 'prft', 'moof', 'mdat']);
    expect(types).toHaveLength(2 + 3 * written.length);
    const prfts = file.boxes.filter((b) => b.type === 'prft') as unknown as PrftView[];
    prfts.forEach((p, i) => {
      expect({ version: p.version, flags: p.flags, ref: p.ref_track_id, mediaTime: p.media_time }).toEqual({
        version: 1,
        flags: 24,
        ref: 1,
        mediaTime: written[i]!.dts,
      });
      // ntp_timestamp is read as one (inexact above 2^53) number: compare in seconds since 1970.
      const unixSeconds = p.ntp_timestamp / 2 ** 32 - 2208988800;
      expect(unixSeconds).toBeCloseTo((1.7e12 + written[i]!.dts / 90) / 1000, 3);
    });
  });
});
