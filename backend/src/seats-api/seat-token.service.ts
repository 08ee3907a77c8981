import { Inject, Injectable } from '@nestjs/common';
import { ProtocolError, type HelloMessage } from '@vigil/protocol';
import { DatabaseService } from '../db/database.service';
import { StreamRecordsService } from '../stream-records/stream-records.service';
import type { SentinelAuthorizer } from '../relay/sentinel-session';
import type { SeatRow } from '../db/database.types';
import { SeatTokenError, seatTokenKey, signSeatToken, verifySeatToken } from './seat-token';
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

  /** `<base>/sentinel/?exam=…&seat=…&token=…` */
  kioskUrl(base: string, seat: Pick<SeatRow, 'id' | 'examId' | 'tokenVersion'>): string {
    const query = new URLSearchParams({ exam: seat.examId, seat: seat.id, token: this.tokenFor(seat) });
    return `${base}/sentinel/?${query.toString()}`;
  }

  /**
   * The relay's {@link SentinelAuthorizer}: the hello's token must be this seat's current
   * token, and the exam window must not be over. After the exam's end, for
   * `VIGIL_UPLOAD_GRACE_HOURS`, a hello with `uploadOnly` and a `streamId` is still let in as
   * upload-only (the Sentinel's backlog; the session refuses new capture). Hands the exam's
   * default frame rate to the stream about to start.
   * @throws ProtocolError `auth-required` (no token) or `auth-failed` (anything wrong with it), fatal
   */
  readonly authorize: SentinelAuthorizer = async (hello: HelloMessage) => {
    const token = hello.token.trim();
    if (token === '') {
      throw new ProtocolError('auth-required', 'a seat token is required: open this seat\'s kiosk URL (…&token=…) as exported by the exam admin', { fatal: true });
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
    const seat = await this.database.db.selectFrom('seats').selectAll().where('id', '=', claims.seatId).executeTakeFirst();
    const exam = seat ? await this.database.db.selectFrom('exams').selectAll().where('id', '=', seat.examId).executeTakeFirst() : undefined;
    if (!seat || !exam || seat.examId !== claims.examId) throw failed('this seat or its exam no longer exists: ask the exam admin');
    if (seat.tokenVersion !== claims.version) throw failed('this seat token was revoked: ask the exam admin for the seat\'s new kiosk URL');
    const now = Date.now();
    if (now >= exam.endsAt) {
      const graceEnd = exam.endsAt + this.config.uploadGraceHours * 3_600_000;
      if (hello.uploadOnly && hello.streamId && now < graceEnd) return { examId: seat.examId, seatId: seat.id, uploadOnly: true };
      throw failed(
        hello.uploadOnly
          ? `the exam window ended ${new Date(exam.endsAt).toISOString()} and its upload grace of ${this.config.uploadGraceHours} h is over: queued frames can no longer be uploaded`
          : `this seat token expired when the exam window ended (${new Date(exam.endsAt).toISOString()})`,
      );
    }
    this.streamRecords.setInitialFps(seat.examId, seat.id, exam.defaultFps);
    return { examId: seat.examId, seatId: seat.id };
  };
}

function failed(message: string): ProtocolError {
  return new ProtocolError('auth-failed', message, { fatal: true });
}
