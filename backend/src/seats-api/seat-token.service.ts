import { Inject, Injectable } from '@nestjs/common';
import { ProtocolError, type HelloMessage } from '@vigil/protocol';
import { DatabaseService } from '../db/database.service';
import { StreamRecordsService } from '../stream-records/stream-records.service';
import type { SentinelAuthorizer } from '../relay/sentinel-session';
import type { SeatRow } from '../db/database.types';
import { SeatTokenError, seatTokenAdmission, seatTokenKey, signSeatToken, verifySeatToken } from './seat-token';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';

/** Nest token of the server secret (string). */
export const SERVER_SECRET = Symbol('SERVER_SECRET');

/**
 * Issues seat tokens and kiosk URLs, and checks the Sentinel's `hello` against them
 * ({@link authorize}, the relay's {@link SentinelAuthorizer}).
 */
@Injectable()
export class SeatTokenService {
  private readonly key: Buffer;

  constructor(
    @Inject(SERVER_SECRET) secret: string,
    private readonly database: DatabaseService,
    private readonly streamRecords: StreamRecordsService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {
    this.key = seatTokenKey(secret);
  }

  /** The seat's current token (derived: the same until the seat's token version changes). */
  tokenFor(seat: Pick<SeatRow, 'id' | 'examId' | 'tokenVersion'>): string {
    return signSeatToken(this.key, { examId: seat.examId, seatId: seat.id, version: seat.tokenVersion });
  }

  /** `<base>/sentinel/?exam=…&seat=…#token=…` ({@link kioskUrlOf}). */
  kioskUrl(base: string, seat: Pick<SeatRow, 'id' | 'examId' | 'tokenVersion'>): string {
    return kioskUrlOf(base, seat.examId, seat.id, this.tokenFor(seat));
  }

  /**
   * The relay's {@link SentinelAuthorizer}: the hello's token must be this seat's current
   * token, and the exam window must be open: from `VIGIL_SEAT_EARLY_MINUTES` before its start
   * (not-before) to its end ({@link seatTokenAdmission}). After the exam's end, for
   * `VIGIL_UPLOAD_GRACE_HOURS`, a hello with `uploadOnly` and a `streamId` is still let in as
   * upload-only (the Sentinel's backlog; the session refuses new capture). Hands the exam's
   * default frame rate to the stream about to start.
   * @throws ProtocolError `auth-required` (no token) or `auth-failed` (anything wrong with it), fatal
   */
  readonly authorize: SentinelAuthorizer = async (hello: HelloMessage) => {
    const token = hello.token.trim();
    if (token === '') {
      throw new ProtocolError('auth-required', 'a seat token is required: open this seat\'s kiosk URL (…#token=…) as exported by the exam admin', { fatal: true });
    }
    let claims;
    try {
      claims = verifySeatToken(this.key, token);
    } catch (e) {
      if (e instanceof SeatTokenError) throw failed(e.message);
      throw e;
    }
    if (claims.examId !== hello.examId || claims.seatId !== hello.seatId) {
      throw failed('the seat token belongs to another seat or exam than the page\'s exam and seat: use this seat\'s own kiosk URL');
    }
    // seat and exam in one query (a join costs one statement per hello: issue 10)
    const seat = await this.database.db
      .selectFrom('seats')
      .innerJoin('exams', 'exams.id', 'seats.examId')
      .select(['seats.id', 'seats.examId', 'seats.tokenVersion', 'exams.startsAt', 'exams.endsAt', 'exams.defaultFps'])
      .where('seats.id', '=', claims.seatId)
      .executeTakeFirst();
    if (!seat || seat.examId !== claims.examId) throw failed('this seat or its exam no longer exists: ask the exam admin');
    if (seat.tokenVersion !== claims.version) throw failed('this seat token was revoked: ask the exam admin for the seat\'s new kiosk URL');
    const admission = seatTokenAdmission(
      Date.now(),
      { startsAtMs: seat.startsAt, endsAtMs: seat.endsAt },
      { earlyMs: this.config.seatEarlyMinutes * 60_000, uploadGraceMs: this.config.uploadGraceHours * 3_600_000 },
      hello,
    );
    if (admission.kind === 'refused') throw failed(admission.message);
    if (admission.kind === 'upload-only') return { examId: seat.examId, seatId: seat.id, uploadOnly: true };
    this.streamRecords.setInitialFps(seat.examId, seat.id, seat.defaultFps);
    return { examId: seat.examId, seatId: seat.id };
  };

  /**
   * The seat a REST caller's seat token names (the exam application's events,
   * `POST /api/sentinel/events`): the token must be the seat's current one (signature, not
   * revoked, seat and exam exist), and the exam window open (from `VIGIL_SEAT_EARLY_MINUTES`
   * before its start to its end), as for a Sentinel's capture `hello`.
   * @returns the seat, or why not: `invalid` (no, malformed, forged or revoked token: 401) or
   *   `closed` (outside the exam window: 403), with a message for the caller
   */
  async verifyForRest(token: string, nowMs = Date.now()): Promise<{ ok: true; examId: string; seatId: string } | { ok: false; why: 'invalid' | 'closed'; message: string }> {
    if (token.trim() === '') return { ok: false, why: 'invalid', message: 'a seat token is required: Authorization: Bearer <seat token> (the #token=… of the seat\'s kiosk URL)' };
    let claims;
    try {
      claims = verifySeatToken(this.key, token.trim());
    } catch (e) {
      if (e instanceof SeatTokenError) return { ok: false, why: 'invalid', message: e.message };
      throw e;
    }
    const seat = await this.database.db.selectFrom('seats').selectAll().where('id', '=', claims.seatId).executeTakeFirst();
    const exam = seat ? await this.database.db.selectFrom('exams').selectAll().where('id', '=', seat.examId).executeTakeFirst() : undefined;
    if (!seat || !exam || seat.examId !== claims.examId) return { ok: false, why: 'invalid', message: 'this seat or its exam no longer exists' };
    if (seat.tokenVersion !== claims.version) return { ok: false, why: 'invalid', message: 'this seat token was revoked: use the seat\'s new kiosk URL token' };
    const admission = seatTokenAdmission(nowMs, { startsAtMs: exam.startsAt, endsAtMs: exam.endsAt }, { earlyMs: this.config.seatEarlyMinutes * 60_000, uploadGraceMs: 0 }, {});
    if (admission.kind !== 'capture') return { ok: false, why: 'closed', message: admission.kind === 'refused' ? admission.message : 'the exam is over' };
    return { ok: true, examId: seat.examId, seatId: seat.id };
  }
}

/**
 * A kiosk URL: `<base>/sentinel/?exam=E&seat=S#token=T`. The token rides in the fragment
 * (RFC 3986 §3.5), which browsers never send to a server: not in the request line, so not in
 * a proxy's or the server's access log, and not in a `Referer` (W3C Referrer Policy §8.3
 * strips fragments). The page reads it from `location.hash`, removes it from the address
 * bar, and sends it in its `hello`.
 */
export function kioskUrlOf(base: string, examId: string, seatId: string, token: string): string {
  const query = new URLSearchParams({ exam: examId, seat: seatId });
  return `${base}/sentinel/?${query.toString()}#${new URLSearchParams({ token }).toString()}`;
}

function failed(message: string): ProtocolError {
  return new ProtocolError('auth-failed', message, { fatal: true });
}
