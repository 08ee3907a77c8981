import { MAX_NTP_UNIX_MS, NTP_UNIX_EPOCH_OFFSET_S, ntpToUnixMs, unixMsToNtp } from './ntp';

describe('NTP timestamps (RFC 5905 §6, RFC 4330 §3 eras)', () => {
  it('maps the Unix epoch to 2208988800 s since 1900', () => {
    expect(unixMsToNtp(0)).toEqual({ seconds: NTP_UNIX_EPOCH_OFFSET_S, fraction: 0 });
    expect(NTP_UNIX_EPOCH_OFFSET_S).toBe(((70 * 365 + 17) * 86400)); // 70 years incl. 17 leap days
  });

  it('encodes milliseconds as a 32-bit binary fraction', () => {
    expect(unixMsToNtp(1700000000250)).toEqual({ seconds: 3908988800, fraction: 0x40000000 });
    expect(unixMsToNtp(1700000000000.5).fraction).toBe(Math.round(0.0005 * 2 ** 32));
    expect(unixMsToNtp(999.99999999999).seconds).toBe(NTP_UNIX_EPOCH_OFFSET_S + 1); // rounds up into the next second
  });

  it('wraps into NTP era 1 after 2036-02-07T06:28:16Z and back', () => {
    const eraStartMs = (2 ** 32 - NTP_UNIX_EPOCH_OFFSET_S) * 1000;
    expect(new Date(eraStartMs).toISOString()).toBe('2036-02-07T06:28:16.000Z');
    expect(unixMsToNtp(eraStartMs)).toEqual({ seconds: 0, fraction: 0 });
    expect(ntpToUnixMs(0, 0)).toBe(eraStartMs);
    expect(ntpToUnixMs(0xffffffff, 0)).toBe(eraStartMs - 1000);
  });

  it.each([0, 1, 1700000000123.456, 2085978496000, MAX_NTP_UNIX_MS - 1])('round-trips %p ms within 1 µs', (ms) => {
    const t = unixMsToNtp(ms);
    expect(Math.abs(ntpToUnixMs(t.seconds, t.fraction) - ms)).toBeLessThan(0.001);
  });

  it('rejects times it cannot represent', () => {
    expect(() => unixMsToNtp(-1)).toThrow(TypeError);
    expect(() => unixMsToNtp(MAX_NTP_UNIX_MS)).toThrow(/captureTimeMs must be Unix epoch milliseconds in \[0, /);
    expect(() => unixMsToNtp(Infinity)).toThrow(TypeError);
  });
});
