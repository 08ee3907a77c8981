import { BadRequestException } from '@nestjs/common';
import { MAX_EPOCH_MS, parseTimeParam, parseTimeRange } from './time-range';

describe('time range query parameters', () => {
  it('reads ISO 8601 with a zone and milliseconds since the epoch', () => {
    expect(parseTimeParam('from', '2026-12-04T10:42:00Z', 0)).toBe(Date.UTC(2026, 11, 4, 10, 42));
    expect(parseTimeParam('from', '2026-12-04T11:42:00.500+01:00', 0)).toBe(Date.UTC(2026, 11, 4, 10, 42, 0, 500));
    expect(parseTimeParam('to', '1764844920000', 0)).toBe(1764844920000);
    expect(parseTimeParam('to', undefined, 7)).toBe(7);
    expect(parseTimeParam('to', '', 7)).toBe(7);
  });

  it.each([
    ['yesterday', /from must be an ISO 8601 time/],
    ['2026-12-04T10:42:00', /from must be an ISO 8601 time with a zone/], // no zone: ambiguous
    ['2026-13-40T10:42:00Z', /is not a valid time between/],
    ['-5', /from must be/],
    ['1e12', /from must be/],
    ['99999999999999999', /from must be/],
  ])('refuses %s with a clear 400', (value, message) => {
    expect(() => parseTimeParam('from', value, 0)).toThrow(BadRequestException);
    expect(() => parseTimeParam('from', value, 0)).toThrow(message);
  });

  it('refuses a reversed range and takes open ends as the whole recording', () => {
    expect(() => parseTimeRange('2000', '1000')).toThrow(/to \(1970-01-01T00:00:01.000Z\) is before from/);
    expect(parseTimeRange(undefined, undefined)).toEqual({ fromMs: 0, toMs: MAX_EPOCH_MS });
    expect(parseTimeRange('1000', '1000')).toEqual({ fromMs: 1000, toMs: 1000 });
  });
});
