import { createHmac, timingSafeEqual } from 'node:crypto';
import { ID_PATTERN } from '@vigil/protocol';

/**
 * Seat tokens (pure): `v1.<payload>.<signature>`, both parts base64url.
 * payload = JSON `{"e": examId, "s": seatId, "v": tokenVersion}`;
 * signature = HMAC-SHA256(key, "vigil-seat-token.v1." + payload), key derived from the
 * server secret for this purpose only. The token names its seat, so it cannot be used
 * for another; revocation bumps the seat's token version; expiry is the exam's window
 * end, checked against the database at each `hello` (see SeatTokenService).
 */

/** What a valid signature vouches for. */
export interface SeatTokenClaims {
  examId: string;
  seatId: string;
  version: number;
}

/** Why a token did not verify. */
export type SeatTokenProblem = 'malformed' | 'bad-signature';

/** A token that does not verify; `problem` says why. */
export class SeatTokenError extends Error {
  override readonly name = 'SeatTokenError';
  constructor(readonly problem: SeatTokenProblem, message: string) {
    super(message);
  }
}

const PREFIX = 'v1';
const DOMAIN = 'vigil-seat-token.v1.';

/** The HMAC key for seat tokens, derived from the server secret (domain separation). */
export function seatTokenKey(serverSecret: string): Buffer {
  return createHmac('sha256', serverSecret).update('vigil seat tokens').digest();
}

/** Signs a seat token. */
export function signSeatToken(key: Buffer, claims: SeatTokenClaims): string {
  const payload = Buffer.from(JSON.stringify({ e: claims.examId, s: claims.seatId, v: claims.version })).toString('base64url');
  return `${PREFIX}.${payload}.${sign(key, payload)}`;
}

/**
 * Checks a token's form and signature and returns its claims.
 * @throws SeatTokenError `malformed` or `bad-signature`
 */
export function verifySeatToken(key: Buffer, token: string): SeatTokenClaims {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== PREFIX || !/^[A-Za-z0-9_-]+$/.test(parts[1]) || !/^[A-Za-z0-9_-]{43}$/.test(parts[2])) {
    throw new SeatTokenError('malformed', 'the seat token is malformed: open the kiosk URL exactly as exported for this seat');
  }
  const expected = Buffer.from(sign(key, parts[1]));
  const given = Buffer.from(parts[2]);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
    throw new SeatTokenError('bad-signature', 'the seat token signature is not valid for this server: use the kiosk URL exported for this seat');
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new SeatTokenError('malformed', 'the seat token payload is not JSON');
  }
  const c = claims as { e?: unknown; s?: unknown; v?: unknown };
  if (typeof c.e !== 'string' || !ID_PATTERN.test(c.e) || typeof c.s !== 'string' || !ID_PATTERN.test(c.s) || !Number.isSafeInteger(c.v)) {
    throw new SeatTokenError('malformed', 'the seat token payload lacks exam, seat or version');
  }
  return { examId: c.e, seatId: c.s, version: c.v as number };
}

function sign(key: Buffer, payload: string): string {
  return createHmac('sha256', key).update(DOMAIN + payload).digest('base64url');
}

/** The exam's window as the seat token sees it (ms since the Unix epoch). */
export interface SeatTokenWindow {
  startsAtMs: number;
  endsAtMs: number;
}

/** How early and how late a seat token opens a Sentinel connection. */
export interface SeatTokenTimes {
  /** The token opens this long before the exam's start, ms (`VIGIL_SEAT_EARLY_MINUTES`). */
  earlyMs: number;
  /** After the exam's end, upload-only hellos are let in this long, ms (`VIGIL_UPLOAD_GRACE_HOURS`). */
  uploadGraceMs: number;
}

/** What the token's time window allows at a given instant. */
export type SeatTokenAdmission =
  | { kind: 'capture' }
  | { kind: 'upload-only' }
  | { kind: 'refused'; message: string };

/**
 * The time rule of seat tokens (pure): a hello is welcome from `startsAtMs - earlyMs`
 * (not-before) to `endsAtMs` (exclusive); after the end, for `uploadGraceMs`, only an
 * upload-only resume of a stream (`hello.uploadOnly` with a `streamId`) gets in. The
 * messages say when the token opens or when it closed (ISO 8601, UTC).
 * @param nowMs the instant of the hello, ms since the Unix epoch
 * @param hello whether the hello asks for upload-only and names a stream
 */
export function seatTokenAdmission(
  nowMs: number,
  exam: SeatTokenWindow,
  times: SeatTokenTimes,
  hello: { uploadOnly?: boolean; streamId?: string },
): SeatTokenAdmission {
  const opensAtMs = exam.startsAtMs - times.earlyMs;
  if (nowMs < opensAtMs) {
    const minutes = Math.round(times.earlyMs / 60_000);
    return {
      kind: 'refused',
      message:
        `this seat token is not valid yet: it opens at ${new Date(opensAtMs).toISOString()}` +
        ` (${minutes} min before the exam starts at ${new Date(exam.startsAtMs).toISOString()}); reload the page then`,
    };
  }
  if (nowMs < exam.endsAtMs) return { kind: 'capture' };
  const graceHours = times.uploadGraceMs / 3_600_000;
  if (hello.uploadOnly === true && hello.streamId !== undefined && hello.streamId !== '' && nowMs < exam.endsAtMs + times.uploadGraceMs) {
    return { kind: 'upload-only' };
  }
  return {
    kind: 'refused',
    message:
      hello.uploadOnly === true
        ? `the exam window ended ${new Date(exam.endsAtMs).toISOString()} and its upload grace of ${graceHours} h is over: queued frames can no longer be uploaded`
        : `this seat token expired when the exam window ended (${new Date(exam.endsAtMs).toISOString()}): the exam is over`,
  };
}
