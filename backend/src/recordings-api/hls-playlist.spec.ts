import { buildMediaPlaylist } from './hls-playlist';

describe('buildMediaPlaylist (RFC 8216, version 7)', () => {
  const seg = (n: number, map: string, startMs: number, d: number, discontinuity = false) => ({
    uri: `files/${n}.m4s`,
    mapUri: `files/${map}`,
    durationSeconds: d,
    programDateTimeMs: startMs,
    discontinuity,
  });

  it('writes a VOD playlist with maps, discontinuities, program date-times and the target duration', () => {
    const text = buildMediaPlaylist(
      [seg(2, 'a-init.mp4', Date.UTC(2026, 11, 4, 10, 42), 25), seg(27, 'a-init.mp4', Date.UTC(2026, 11, 4, 10, 42, 25), 24.6), seg(60, 'b-init.mp4', Date.UTC(2026, 11, 4, 10, 45), 3.2, true)],
      { type: 'VOD' },
    );
    expect(text).toBe(
      [
        '#EXTM3U',
        '#EXT-X-VERSION:7',
        '#EXT-X-TARGETDURATION:25',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-MAP:URI="files/a-init.mp4"',
        '#EXT-X-PROGRAM-DATE-TIME:2026-12-04T10:42:00.000Z',
        '#EXTINF:25.000,',
        'files/2.m4s',
        '#EXT-X-PROGRAM-DATE-TIME:2026-12-04T10:42:25.000Z',
        '#EXTINF:24.600,',
        'files/27.m4s',
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-MAP:URI="files/b-init.mp4"',
        '#EXT-X-PROGRAM-DATE-TIME:2026-12-04T10:45:00.000Z',
        '#EXTINF:3.200,',
        'files/60.m4s',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
  });

  it('an EVENT playlist has no end; bad durations and URIs are refused', () => {
    const text = buildMediaPlaylist([seg(2, 'a', 0, 25.4)], { type: 'EVENT' });
    expect(text).toContain('#EXT-X-PLAYLIST-TYPE:EVENT');
    expect(text).toContain('#EXT-X-TARGETDURATION:25');
    expect(text).not.toContain('#EXT-X-ENDLIST');
    expect(() => buildMediaPlaylist([seg(2, 'a', 0, Number.NaN)], { type: 'VOD' })).toThrow(RangeError);
    expect(() => buildMediaPlaylist([{ ...seg(2, 'a', 0, 1), mapUri: 'x"y' }], { type: 'VOD' })).toThrow(/cannot be quoted/);
  });
});
