import { OnGatewayConnection, WebSocketGateway } from '@nestjs/websockets';
import type { WebSocket } from 'ws';
import { MAX_TEXT_MESSAGE_BYTES, PROCTOR_WS_PATH } from '@vigil/protocol';
import { ProctorSession } from '../relay/proctor-session';
import { RelayService } from '../relay-nest/relay.service';
import { rawDataToBytes, wsSend, wsSendReplay } from './ws-link';

/** Thin adapter: one {@link ProctorSession} per Proctor WebSocket at `/ws/proctor`. */
@WebSocketGateway({ path: PROCTOR_WS_PATH, maxPayload: MAX_TEXT_MESSAGE_BYTES })
export class ProctorGateway implements OnGatewayConnection {
  constructor(private readonly relay: RelayService) {}

  handleConnection(socket: WebSocket): void {
    const session = new ProctorSession(
      {
        sendText: (text) => wsSend(socket, text),
        sendBinary: (data) => wsSend(socket, data),
        sendReplay: (unit) => wsSendReplay(socket, unit.message),
        bufferedAmount: () => socket.bufferedAmount,
        close: (code, reason) => socket.close(code, reason),
      },
      this.relay.registry,
      this.relay.config.viewerMaxBufferedBytes,
    );
    socket.on('message', (data, isBinary) => {
      if (isBinary) session.handleBinary();
      else session.handleText(rawDataToBytes(data).toString());
    });
    socket.on('close', () => session.handleClose());
    socket.on('error', () => session.handleClose());
  }
}
