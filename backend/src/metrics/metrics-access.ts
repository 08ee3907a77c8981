import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Who may scrape `GET /metrics` (pure). Off unless configured:
 * - `VIGIL_METRICS_TOKEN`: any client with `Authorization: Bearer <token>` (compared in constant time);
 * - `VIGIL_METRICS_LOOPBACK=true`: a client on this machine (loopback socket address) without a
 *   token, unless the request came through a proxy (it carries `X-Forwarded-For`, `Forwarded` or
 *   `X-Real-IP`: a reverse proxy on the same machine would otherwise make every client loopback).
 * With neither, `/metrics` answers 404 as if it did not exist.
 */
export interface MetricsAccessConfig {
  metricsToken: string | null;
  metricsLoopback: boolean;
}

/** What the request brings. */
export interface MetricsRequest {
  /** The `Authorization` header, if any. */
  authorization: string | undefined;
  /** The TCP peer's address (never `X-Forwarded-For`). */
  remoteAddress: string | undefined;
  /** Whether proxy headers are present. */
  proxied: boolean;
}

/** `ok`: serve; `off`: 404; `unauthorized`: 401 (a token would open it); `forbidden`: 403 (loopback only). */
export type MetricsVerdict = 'ok' | 'off' | 'unauthorized' | 'forbidden';

export function metricsAccess(config: MetricsAccessConfig, req: MetricsRequest): MetricsVerdict {
  if (config.metricsToken === null && !config.metricsLoopback) return 'off';
  if (config.metricsToken !== null) {
    const presented = bearerToken(req.authorization);
    if (presented !== null && sameSecret(presented, config.metricsToken)) return 'ok';
  }
  if (config.metricsLoopback && !req.proxied && isLoopback(req.remoteAddress)) return 'ok';
  return config.metricsToken !== null ? 'unauthorized' : 'forbidden';
}

/** The token of `Authorization: Bearer <token>`, or null. */
export function bearerToken(header: string | undefined): string | null {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  return match ? match[1] : null;
}

/** Constant-time comparison (over SHA-256 digests, so the length does not leak either). */
export function sameSecret(a: string, b: string): boolean {
  const da = createHash('sha256').update(a, 'utf8').digest();
  const db = createHash('sha256').update(b, 'utf8').digest();
  return timingSafeEqual(da, db);
}

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x (`::ffff:127.0.0.1`). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  if (isIP(v4) === 4) return v4.startsWith('127.');
  return address === '::1';
}

/** Whether a request carries the headers a reverse proxy adds. */
export function isProxied(headers: Record<string, string | string[] | undefined>): boolean {
  return headers['x-forwarded-for'] !== undefined || headers['forwarded'] !== undefined || headers['x-real-ip'] !== undefined;
}
