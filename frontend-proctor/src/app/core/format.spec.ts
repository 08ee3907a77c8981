import { formatAge, formatBitrate, formatDuration, formatFps, formatResolution, formatSeconds, formatWindow } from './format';

describe('format', () => {
  it('formats bitrates', () => {
    expect(formatBitrate(850_000)).toBe('850 kbit/s');
    expect(formatBitrate(1_400_000)).toBe('1.4 Mbit/s');
    expect(formatBitrate(12_000_000)).toBe('12 Mbit/s');
    expect(formatBitrate(0)).toBe('0 bit/s');
    expect(formatBitrate(null)).toBe('—');
  });

  it('formats durations and ages', () => {
    expect(formatDuration(183.4)).toBe('183 ms');
    expect(formatDuration(1234)).toBe('1.2 s');
    expect(formatDuration(42_000)).toBe('42 s');
    expect(formatDuration(180_000)).toBe('3 min');
    expect(formatDuration(-5)).toBe('0 ms');
    expect(formatAge(9_000, 10_200)).toBe('1.2 s ago');
    expect(formatAge(null, 1)).toBe('never');
    expect(formatAge(10_000, 10_040)).toBe('< 1 s ago');
    expect(formatAge(10_100, 10_000)).toBe('< 1 s ago'); // clocks slightly apart
  });

  it('formats resolution, fps and seconds', () => {
    expect(formatResolution(1280, 720)).toBe('1280×720');
    expect(formatResolution(0, 0)).toBe('—');
    expect(formatFps(5)).toBe('5 fps');
    expect(formatFps(0.2)).toBe('0.2 fps');
    expect(formatFps(29.97)).toBe('30 fps');
    expect(formatFps(null)).toBe('—');
    expect(formatSeconds(0.456)).toBe('0.46 s');
  });

  it('formats a window of figures as average and maximum', () => {
    expect(formatWindow({ count: 12, avg: 31.4, max: 80 })).toBe('avg 31 ms · max 80 ms');
    expect(formatWindow({ count: 0, avg: null, max: null })).toBe('—');
    expect(formatWindow(undefined)).toBe('—');
  });
});
