import type { VigilConfig } from '../config/vigil-config';

/**
 * Whether a browser `Origin` may use this server with the session cookie: the server's
 * own origin (the request's `Host`, or `VIGIL_PUBLIC_URL`) or one listed in
 * `VIGIL_ALLOWED_ORIGINS`. Browsers send cookies on cross-site WebSocket handshakes
 * (RFC 6455 §10.2), so `/ws/proctor` and cookie-authenticated writes check this.
 * The scheme is not compared for the request's own host (a TLS proxy may hide it).
 */
export function isAllowedOrigin(
  origin: string | undefined,
  host: string | undefined,
  config: Pick<VigilConfig, 'publicUrl' | 'allowedOrigins'>,
): boolean {
  if (!origin || origin === 'null') return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  if (host && parsed.host.toLowerCase() === host.toLowerCase()) return true;
  if (config.publicUrl && new URL(config.publicUrl).origin === parsed.origin) return true;
  return config.allowedOrigins.includes(parsed.origin);
}
