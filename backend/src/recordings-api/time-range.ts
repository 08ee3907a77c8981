import { BadRequestException } from '@nestjs/common';

/** Latest moment a JavaScript Date can hold, ms since the Unix epoch (ECMA-262 §21.4.1.1). */
export const MAX_EPOCH_MS = 8.64e15;

/**
 * Parses one end of a time range from a query parameter (pure): ISO 8601 with a time zone
 * (`2026-12-04T10:42:00Z`, `2026-12-04T11:42:00+01:00`) or whole milliseconds since the
 * Unix epoch (`1764844920000`).
 * @param name the parameter's name, for the error message
 * @returns ms since the Unix epoch, or `fallback` when the parameter is absent or empty
 * @throws BadRequestException naming the parameter, the value and the accepted forms
 */
export function parseTimeParam(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const shown = JSON.stringify(value.slice(0, 40));
  let ms: number;
  if (/^\d{1,16}$/.test(value)) ms = Number(value);
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/.test(value)) ms = Date.parse(value);
  else {
    throw new BadRequestException(
      `${name} must be an ISO 8601 time with a zone (2026-12-04T10:42:00Z) or milliseconds since the Unix epoch, got ${shown}`,
    );
  }
  if (!Number.isFinite(ms) || ms < 0 || ms > MAX_EPOCH_MS) {
    throw new BadRequestException(`${name} ${shown} is not a valid time between 1970-01-01T00:00:00Z and +275760-09-13T00:00:00Z`);
  }
  return ms;
}

/**
 * Parses `from` and `to` (pure). Absent ends mean the whole recording.
 * @throws BadRequestException when one is malformed or `to` is before `from`
 */
export function parseTimeRange(from: string | undefined, to: string | undefined): { fromMs: number; toMs: number } {
  const fromMs = parseTimeParam('from', from, 0);
  const toMs = parseTimeParam('to', to, MAX_EPOCH_MS);
  if (toMs < fromMs) {
    throw new BadRequestException(`to (${new Date(toMs).toISOString()}) is before from (${new Date(fromMs).toISOString()}): swap them`);
  }
  return { fromMs, toMs };
}
