import { Logger } from '@nestjs/common';
import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { MAX_MEDIA_MESSAGE_BYTES, SENTINEL_WS_PATH } from '@vigil/protocol';
import { SentinelSession } from '../relay/sentinel-session';
import { RelayService } from '../relay-nest/relay.service';
import { RecordingService } from '../recordings-api/recording.service';
import { rawDataToBytes, wsSend } from './ws-link';
import { SeatTokenService } from '../seats-api/seat-token.service';

/** Thin adapter: one {@link SentinelSession} per Sentinel WebSocket at `/ws/sentinel`; seat tokens checked by {@link SeatTokenService.authorize}. */
@WebSocketGateway({ path: SENTINEL_WS_PATH, maxPayload: MAX_MEDIA_MESSAGE_BYTES })
export class SentinelGateway implements OnGatewayConnection {
  private readonly logger = new Logger('SentinelGateway');

  constructor(
    private readonly relay: RelayService,
    private readonly recordings: RecordingService,
    private readonly seatTokens: SeatTokenService,
  ) {}

  handleConnection(socket: WebSocket): void {
    const session = new SentinelSession(
      { sendText: (text) => wsSend(socket, text), close: (code, reason) => socket.close(code, reason) },
      this.relay.registry,
      this.recordings.factory,
      Date.now,
      {
        connected: (stream, resumed) => {
          this.logger.log(`sentinel ${resumed ? 'resumed' : 'started'} stream ${stream.streamId} (exam ${stream.identity.examId}, seat ${stream.identity.seatId})`);
          this.recordings.logEvent(stream.streamId, { type: 'connect', resumed, encoder: stream.identity.encoder });
        },
        disconnected: (stream) => {
          this.logger.log(`sentinel of stream ${stream.streamId} disconnected`);
          this.recordings.logEvent(stream.streamId, { type: 'disconnect' });
        },
        rejected: (code, message) => this.logger.warn(`sentinel rejected: ${code}: ${message}`),
      },
      this.seatTokens.authorize,
    );
    socket.on('message', (data, isBinary) => {
      if (isBinary) session.handleBinary(rawDataToBytes(data));
      else void session.handleText(rawDataToBytes(data).toString());
    });
    socket.on('close', () => session.handleClose());
    socket.on('error', () => session.handleClose());
  }
}
