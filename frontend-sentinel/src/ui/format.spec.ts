import { formatBitrate, formatBytes, formatDuration, formatFps } from './format';

describe('status formatting', () => {
  it('formats bytes', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(256 * 1024 * 1024)).toBe('256.0 MiB');
  });

  it('formats bitrates', () => {
    expect(formatBitrate(629_000)).toBe('629 kbit/s');
    expect(formatBitrate(1_406_000)).toBe('1.41 Mbit/s');
  });

  it('formats frame rates', () => {
    expect(formatFps(0.2)).toBe('0.2 fps');
    expect(formatFps(5)).toBe('5 fps');
    expect(formatFps(1 / 3)).toBe('0.33 fps');
  });

  it('throws a TypeError on bad input', () => {
    expect(() => formatBytes(-1)).toThrow('bytes must be a finite number >= 0, got -1');
    expect(() => formatBitrate(NaN)).toThrow(TypeError);
    expect(() => formatFps(Infinity)).toThrow(TypeError);
  });
});

describe('formatDuration', () => {
  it('formats seconds, minutes and hours', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(42.4)).toBe('42 s');
    expect(formatDuration(125)).toBe('2 min 05 s');
    expect(formatDuration(3720)).toBe('1 h 02 min');
    expect(() => formatDuration(-1)).toThrow('seconds must be a finite number >= 0, got -1');
    expect(() => formatDuration(Number.NaN)).toThrow(TypeError);
  });
});
