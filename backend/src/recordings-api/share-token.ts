import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Share-link tokens (pure): `s1.<payload>.<signature>`, both base64url.
 * payload = JSON `{"s": streamId, "f": fromMs, "t": toMs, "x": expiresAtMs}`;
 * signature = HMAC-SHA256 (RFC 2104) with a key derived from the server secret for this
 * purpose only (domain separation from seat tokens). A token covers one stream and one time
 * range until it expires; it cannot be widened without the secret.
 */

/** What a share token grants: one stream, one range (ms since the Unix epoch), until `expiresAtMs`. */
export interface ShareClaims {
  streamId: string;
  fromMs: number;
  toMs: number;
  expiresAtMs: number;
}

/** Why a share token was refused. */
export type ShareTokenProblem = 'malformed' | 'bad-signature' | 'expired';

/** A token that does not verify; `problem` says why. */
export class ShareTokenError extends Error {
  override readonly name = 'ShareTokenError';
  constructor(
    readonly problem: ShareTokenProblem,
    message: string,
  ) {
    super(message);
  }
}

const PREFIX = 's1';
const DOMAIN = 'vigil-share-link.s1.';
/** Longest token accepted, characters (a payload is ~150). */
export const SHARE_TOKEN_MAX_LENGTH = 512;

/** The HMAC key for share links, derived from the server secret. */
export function shareTokenKey(serverSecret: string): Buffer {
  return createHmac('sha256', serverSecret).update('vigil share links').digest();
}

/** Signs a share token. */
export function signShareToken(key: Buffer, claims: ShareClaims): string {
  const payload = Buffer.from(JSON.stringify({ s: claims.streamId, f: claims.fromMs, t: claims.toMs, x: claims.expiresAtMs })).toString('base64url');
  return `${PREFIX}.${payload}.${sign(key, payload)}`;
}

/**
 * Verifies a share token.
 * @param nowMs wall clock, ms since the Unix epoch
 * @throws ShareTokenError `malformed`, `bad-signature` or `expired` (checked in that order:
 *   nothing of an unsigned payload is trusted)
 */
export function verifyShareToken(key: Buffer, token: string, nowMs: number): ShareClaims {
  if (typeof token !== 'string' || token.length > SHARE_TOKEN_MAX_LENGTH) throw new ShareTokenError('malformed', 'not a share link token');
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX || !/^[A-Za-z0-9_-]+$/.test(parts[1]) || !/^[A-Za-z0-9_-]{43}$/.test(parts[2])) {
    throw new ShareTokenError('malformed', 'not a share link token');
  }
  const expected = Buffer.from(sign(key, parts[1]), 'base64url');
  const given = Buffer.from(parts[2], 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new ShareTokenError('bad-signature', 'this share link is not valid');
  let raw: { s?: unknown; f?: unknown; t?: unknown; x?: unknown };
  try {
    raw = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as typeof raw;
  } catch {
    throw new ShareTokenError('malformed', 'not a share link token');
  }
  if (typeof raw.s !== 'string' || typeof raw.f !== 'number' || typeof raw.t !== 'number' || typeof raw.x !== 'number') {
    throw new ShareTokenError('malformed', 'not a share link token');
  }
  if (nowMs >= raw.x) throw new ShareTokenError('expired', `this share link expired at ${new Date(raw.x).toISOString()}: ask for a new one`);
  return { streamId: raw.s, fromMs: raw.f, toMs: raw.t, expiresAtMs: raw.x };
}

function sign(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(DOMAIN + payload).digest('base64url');
}
