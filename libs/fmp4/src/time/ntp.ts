/**
 * NTP 64-bit timestamps (RFC 5905 §6: 32-bit seconds since 1900-01-01 00:00 UTC
 * + 32-bit binary fraction), as carried by `prft` (ISO/IEC 14496-12 §8.16.5).
 *
 * The 32-bit seconds field wraps on 2036-02-07 (NTP era 1). Like RFC 4330 §3
 * we map seconds with the top bit set to 1968..2036 (era 0) and the rest to
 * 2036..2104 (era 1), so every Unix time from 1970 to 2104 round-trips.
 */

/** Seconds from the NTP epoch (1900-01-01) to the Unix epoch (1970-01-01). */
export const NTP_UNIX_EPOCH_OFFSET_S = 2208988800;

const TWO_32 = 0x100000000;

/** First Unix millisecond that RFC 4330's era mapping cannot express (2104-02-26 09:42:24 UTC). */
export const MAX_NTP_UNIX_MS = (TWO_32 + 0x80000000 - NTP_UNIX_EPOCH_OFFSET_S) * 1000;

/** An NTP timestamp split into its two unsigned 32-bit halves. */
export interface NtpTimestamp {
  /** Seconds since 1900-01-01 modulo 2^32 (u32). */
  seconds: number;
  /** Fraction of a second in units of 2^-32 s (u32). */
  fraction: number;
}

/**
 * Unix epoch milliseconds (fractional allowed, 0 <= ms < MAX_NTP_UNIX_MS) -> NTP timestamp.
 * The fraction is rounded to the nearest 2^-32 s (~0.23 ns).
 */
export function unixMsToNtp(unixMs: number): NtpTimestamp {
  if (!Number.isFinite(unixMs) || unixMs < 0 || unixMs >= MAX_NTP_UNIX_MS) {
    throw new TypeError(`captureTimeMs must be Unix epoch milliseconds in [0, ${MAX_NTP_UNIX_MS}), got ${unixMs}`);
  }
  let unixSeconds = Math.floor(unixMs / 1000);
  let fraction = Math.round(((unixMs - unixSeconds * 1000) / 1000) * TWO_32);
  if (fraction >= TWO_32) {
    fraction = 0;
    unixSeconds += 1;
  }
  return { seconds: (unixSeconds + NTP_UNIX_EPOCH_OFFSET_S) % TWO_32, fraction };
}

/** NTP timestamp halves (u32 each) -> Unix epoch milliseconds (fractional), RFC 4330 §3 era rule. */
export function ntpToUnixMs(seconds: number, fraction: number): number {
  const unixSeconds =
    seconds >= 0x80000000 ? seconds - NTP_UNIX_EPOCH_OFFSET_S : seconds + TWO_32 - NTP_UNIX_EPOCH_OFFSET_S;
  return unixSeconds * 1000 + (fraction * 1000) / TWO_32;
}
