import { Inject, Logger } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { MAX_MEDIA_MESSAGE_BYTES, ProtocolError, SENTINEL_WS_PATH, closeReason, encodeControl } from '@vigil/protocol';
import { SentinelSession, type SentinelAuthorizer } from '../relay/sentinel-session';
import { RelayService } from '../relay-nest/relay.service';
import { RecordingService } from '../recording/recording.service';
import { StreamEventsService } from '../stream-events/stream-events.service';
import { rawDataToBytes, wsClose, wsSend } from './ws-link';
import { SeatTokenService } from '../seats-api/seat-token.service';
import { isAllowedOrigin } from '../auth/origin';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { startHeartbeat } from './connection-guard';
import { ConnectionLimits, ConnectionPlace, type CapRefusal } from './connection-limits';

/** Scopes of the Sentinel connection caps. */
type SentinelScope = 'exam' | 'seat';

/**
 * Thin adapter: one {@link SentinelSession} per Sentinel WebSocket at `/ws/sentinel`; seat
 * tokens checked by {@link SeatTokenService.authorize}.
 *
 * Connection hygiene (issue 8 finding 6), before any work: a browser `Origin` must be this
 * server's (or an allowed one; `not-allowed`, close 1008), and the connection must fit under
 * `VIGIL_MAX_SENTINEL_CONNECTIONS` (`server-busy`, close 1013). A connection without a
 * welcomed hello after `VIGIL_HELLO_TIMEOUT_MS` is refused (`auth-required`). Once the hello
 * is authorized it must fit under `VIGIL_MAX_SENTINEL_CONNECTIONS_PER_EXAM` and
 * `..._PER_SEAT` (`server-busy`: the Sentinel retries with back-off; `not-allowed` would
 * stop its capture); a hello that resumes a stream another connection of the same seat
 * still holds does not count that older connection, which the resume takes over.
 * WebSocket Pings find half-open connections within `VIGIL_PONG_TIMEOUT_MS` +
 * `VIGIL_PING_INTERVAL_MS`. A listener error never leaves the connection: the session
 * catches its own.
 */
@WebSocketGateway({ path: SENTINEL_WS_PATH, maxPayload: MAX_MEDIA_MESSAGE_BYTES })
export class SentinelGateway implements OnGatewayConnection {
  private readonly logger = new Logger('SentinelGateway');
  private readonly limits: ConnectionLimits<SentinelScope>;
  /** The place of the connection feeding each stream (for takeovers). */
  private readonly streamPlaces = new Map<string, ConnectionPlace<SentinelScope>>();

  constructor(
    private readonly relay: RelayService,
    private readonly recordings: RecordingService,
    private readonly seatTokens: SeatTokenService,
    private readonly streamEvents: StreamEventsService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {
    this.limits = new ConnectionLimits<SentinelScope>(config.maxSentinelConnections, {
      exam: config.maxSentinelConnectionsPerExam,
      seat: config.maxSentinelConnectionsPerSeat,
    });
  }

  /** Open Sentinel connections (for health and tests). */
  get openConnections(): number {
    return this.limits.openCount;
  }

  /** Sentinel connections counted for one exam, or one seat of it (for health and tests). */
  connectionsOf(examId: string, seatId?: string): number {
    return seatId === undefined ? this.limits.count('exam', examId) : this.limits.count('seat', seatKey(examId, seatId));
  }

  handleConnection(socket: WebSocket, request?: IncomingMessage): void {
    const origin = request?.headers.origin;
    // Browsers always send Origin on a WebSocket handshake (RFC 6455 §4.1, §10.2): a foreign
    // one is another site's page. Without one the client is not a browser (the load
    // generator, a test) and could forge any Origin anyway: the seat token in hello is the
    // credential, and no ambient credential (cookie) rides on this endpoint.
    if (origin !== undefined && !isAllowedOrigin(origin, request?.headers.host, this.config)) {
      this.logger.warn(`sentinel connection refused: origin ${origin.slice(0, 60)}`);
      this.refuse(socket, new ProtocolError('not-allowed', `WebSocket from origin ${origin.slice(0, 60)} refused: open the Sentinel page from this server`, { fatal: true }));
      return;
    }
    const opened = this.limits.open();
    if (!ConnectionPlace.is(opened)) {
      this.logger.warn(`sentinel connection refused: ${this.limits.maxTotal} open already`);
      this.refuse(socket, this.capError(opened));
      return;
    }
    const place = opened;
    let streamId: string | null = null;
    const session = new SentinelSession(
      {
        sendText: (text) => wsSend(socket, text),
        close: (code, reason) => {
          // the session is over (refused, taken over, stopped): it no longer counts for its seat
          place.releaseScopes();
          wsClose(socket, code, reason);
        },
      },
      this.relay.registry,
      this.recordings.factory,
      Date.now,
      {
        connected: (stream, resumed) => {
          streamId = stream.streamId;
          this.streamPlaces.set(stream.streamId, place);
          this.logger.log(`sentinel ${resumed ? 'resumed' : 'started'} stream ${stream.streamId} (exam ${stream.identity.examId}, seat ${stream.identity.seatId})${stream.uploadOnly ? ' upload-only' : ''}`);
          this.recordings.logEvent(stream.streamId, { type: 'connect', resumed, encoder: stream.identity.encoder, uploadOnly: stream.uploadOnly });
        },
        disconnected: (stream) => {
          this.logger.log(`sentinel of stream ${stream.streamId} disconnected`);
          this.recordings.logEvent(stream.streamId, { type: 'disconnect' });
        },
        rejected: (code, message) => this.logger.warn(`sentinel rejected: ${code}: ${message}`),
        gap: (stream, gap) => this.recordings.logEvent(stream.streamId, { type: 'gap', ...gap }),
        event: (stream, event) => this.streamEvents.sentinelEvent(stream, event),
      },
      this.admitting(this.seatTokens.authorize, place),
    );
    const helloTimer = setTimeout(() => session.expireHello(this.config.helloTimeoutMs), this.config.helloTimeoutMs);
    helloTimer.unref?.();
    startHeartbeat(socket, { intervalMs: this.config.pingIntervalMs, timeoutMs: this.config.pongTimeoutMs }, (silentMs) => {
      const stream = session.currentStream;
      this.logger.warn(`sentinel connection${stream ? ` of stream ${stream.streamId}` : ''} silent for ${silentMs} ms (no Pong): closed as half-open`);
    });
    socket.on('message', (data, isBinary) => {
      if (isBinary) session.handleBinary(rawDataToBytes(data));
      else void session.handleText(rawDataToBytes(data).toString());
    });
    const onClose = () => {
      clearTimeout(helloTimer);
      place.release();
      if (streamId !== null && this.streamPlaces.get(streamId) === place) this.streamPlaces.delete(streamId);
      session.handleClose();
    };
    socket.on('close', onClose);
    socket.on('error', onClose);
  }

  /**
   * The seat-token check, then the exam and seat caps for this connection (an admit step
   * between authorization and the stream's opening, so a refused hello opens nothing).
   * @throws ProtocolError `server-busy` when a cap is full (from the returned authorizer)
   */
  private admitting(authorize: SentinelAuthorizer, place: ConnectionPlace<SentinelScope>): SentinelAuthorizer {
    return async (hello) => {
      const seat = await authorize(hello);
      const key = seatKey(seat.examId, seat.seatId);
      // a resume takes its stream over from an older connection (half-open, say): that one is
      // about to be closed, so it does not count against this seat
      const older = hello.streamId === undefined ? undefined : this.streamPlaces.get(hello.streamId);
      const replacing = older?.held.some(([scope, k]) => scope === 'seat' && k === key) ? older : undefined;
      const refusal = place.claim(
        [
          ['exam', seat.examId],
          ['seat', key],
        ],
        replacing,
      );
      if (refusal !== null) {
        this.logger.warn(`sentinel of exam ${seat.examId} seat ${seat.seatId} refused: ${refusal.cap} cap ${refusal.limit}`);
        throw this.capError(refusal);
      }
      return seat;
    };
  }

  /** The coded error for a full cap; its message names the cap. */
  private capError(refusal: CapRefusal<SentinelScope>): ProtocolError {
    const message =
      refusal.cap === 'total'
        ? `this server holds its limit of ${refusal.limit} Sentinel connections: reconnect later`
        : refusal.cap === 'exam'
          ? `this exam has its limit of ${refusal.limit} Sentinel connections: reconnect later`
          : `this seat has its limit of ${refusal.limit} Sentinel connections open (another tab or device uses its token?): reconnect later`;
    return new ProtocolError('server-busy', message, { fatal: true });
  }

  /** Refuses a connection before any work: a coded `error`, then the close code of its code. */
  private refuse(socket: WebSocket, error: ProtocolError): void {
    wsSend(socket, encodeControl(error.toControl()));
    wsClose(socket, error.closeCode, closeReason(error.code));
  }
}

/** The key of a seat in the per-seat cap (seat ids are unique within an exam). */
function seatKey(examId: string, seatId: string): string {
  return `${examId}\u0000${seatId}`;
}
