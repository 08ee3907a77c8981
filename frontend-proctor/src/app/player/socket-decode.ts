import { parseServerToProctor } from '@vigil/protocol';
import { decodeSocketFrame, type SocketMessage } from './media-pipeline';

/**
 * Decodes one proctor WebSocket message (`MessageEvent.data` with `binaryType =
 * 'arraybuffer'`): a binary frame as a media message, a text frame validated by libs/protocol
 * `parseServerToProctor`. Apart from media-pipeline.ts so that the pipeline's stages load
 * without the control messages' schemas (the early player, `core/early-player.ts`).
 * Never throws: malformed input becomes `{ type: 'invalid' }`.
 */
export function decodeSocketData(data: string | ArrayBuffer | ArrayBufferView): SocketMessage {
  return decodeSocketFrame(data, parseServerToProctor);
}
