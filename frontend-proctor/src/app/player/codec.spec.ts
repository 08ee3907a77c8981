import { mimeTypeFor, planInitSegment } from './codec';

describe('codec', () => {
  const f = (codec: string, width = 640, height = 360) => ({ codec, width, height });

  it('builds the SourceBuffer type from the codec string', () => {
    expect(mimeTypeFor({ codec: 'avc1.42C028' })).toBe('video/mp4; codecs="avc1.42C028"');
  });

  it('plans create / append / changeType / recreate', () => {
    expect(planInitSegment(null, f('avc1.42C01F'), true)).toBe('create');
    expect(planInitSegment(f('avc1.42C01F'), f('avc1.42C01F'), true)).toBe('append');
    expect(planInitSegment(f('avc1.42C01F'), f('avc1.42C028', 1920, 1080), true)).toBe('changeType');
    expect(planInitSegment(f('avc1.42C01F'), f('avc1.42C01F', 1280, 720), true)).toBe('changeType');
    expect(planInitSegment(f('avc1.42C01F'), f('avc1.42C028'), false)).toBe('recreate');
  });
});
