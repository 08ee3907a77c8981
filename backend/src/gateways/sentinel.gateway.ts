import { Inject, Logger } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { WebSocket } from 'ws';
import { MAX_MEDIA_MESSAGE_BYTES, ProtocolError, SENTINEL_WS_PATH, closeReason, encodeControl } from '@vigil/protocol';
import { SentinelSession } from '../relay/sentinel-session';
import { RelayService } from '../relay-nest/relay.service';
import { RecordingService } from '../recordings-api/recording.service';
import { rawDataToBytes, wsSend } from './ws-link';
import { SeatTokenService } from '../seats-api/seat-token.service';
import { isAllowedOrigin } from '../auth/origin';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { ConnectionCounter, startHeartbeat } from './connection-guard';

/**
 * Thin adapter: one {@link SentinelSession} per Sentinel WebSocket at `/ws/sentinel`; seat
 * tokens checked by {@link SeatTokenService.authorize}. Before any work: a browser `Origin`
 * must be this server's (or an allowed one), and the connection must fit under
 * `VIGIL_MAX_SENTINEL_CONNECTIONS` (`server-busy`, close 1013). A connection without a hello
 * after `VIGIL_HELLO_TIMEOUT_MS` is refused; WebSocket Pings find half-open connections
 * within `VIGIL_PONG_TIMEOUT_MS` + `VIGIL_PING_INTERVAL_MS`. A listener error never leaves
 * the connection: the session catches its own.
 */
@WebSocketGateway({ path: SENTINEL_WS_PATH, maxPayload: MAX_MEDIA_MESSAGE_BYTES })
export class SentinelGateway implements OnGatewayConnection {
  private readonly logger = new Logger('SentinelGateway');
  private readonly counter: ConnectionCounter;

  constructor(
    private readonly relay: RelayService,
    private readonly recordings: RecordingService,
    private readonly seatTokens: SeatTokenService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {
    this.counter = new ConnectionCounter(config.maxSentinelConnections, Number.MAX_SAFE_INTEGER);
  }

  /** Open Sentinel connections (for health and tests). */
  get openConnections(): number {
    return this.counter.open;
  }

  handleConnection(socket: WebSocket, request?: IncomingMessage): void {
    const origin = request?.headers.origin;
    // non-browser clients send no Origin (and could forge one): the seat token is the credential
    if (origin !== undefined && !isAllowedOrigin(origin, request?.headers.host, this.config)) {
      this.refuse(socket, new ProtocolError('not-allowed', `WebSocket from origin ${origin.slice(0, 60)} refused: open the Sentinel page from this server`, { fatal: true }));
      return;
    }
    if (this.counter.tryAcquire(null) !== null) {
      this.logger.warn(`sentinel connection refused: ${this.counter.maxTotal} open already`);
      this.refuse(socket, new ProtocolError('server-busy', `this server holds its limit of ${this.counter.maxTotal} Sentinel connections: reconnect later`, { fatal: true }));
      return;
    }
    const session = new SentinelSession(
      { sendText: (text) => wsSend(socket, text), close: (code, reason) => socket.close(code, reason) },
      this.relay.registry,
      this.recordings.factory,
      Date.now,
      {
        connected: (stream, resumed) => {
          this.logger.log(`sentinel ${resumed ? 'resumed' : 'started'} stream ${stream.streamId} (exam ${stream.identity.examId}, seat ${stream.identity.seatId})${stream.uploadOnly ? ' upload-only' : ''}`);
          this.recordings.logEvent(stream.streamId, { type: 'connect', resumed, encoder: stream.identity.encoder, uploadOnly: stream.uploadOnly });
        },
        disconnected: (stream) => {
          this.logger.log(`sentinel of stream ${stream.streamId} disconnected`);
          this.recordings.logEvent(stream.streamId, { type: 'disconnect' });
        },
        rejected: (code, message) => this.logger.warn(`sentinel rejected: ${code}: ${message}`),
        gap: (stream, gap) => this.recordings.logEvent(stream.streamId, { type: 'gap', ...gap }),
      },
      this.seatTokens.authorize,
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
    let released = false;
    const onClose = () => {
      clearTimeout(helloTimer);
      if (!released) {
        released = true;
        this.counter.release(null);
      }
      session.handleClose();
    };
    socket.on('close', onClose);
    socket.on('error', onClose);
  }

  /** Refuses a connection before any work: a coded `error`, then the close code of its code. */
  private refuse(socket: WebSocket, error: ProtocolError): void {
    wsSend(socket, encodeControl(error.toControl()));
    socket.close(error.closeCode, closeReason(error.code));
  }
}
