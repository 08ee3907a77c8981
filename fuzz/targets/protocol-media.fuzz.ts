/**
 * Jazzer.js target: libs/protocol decodeMediaMessage (16-byte header + fMP4 payload) on
 * arbitrary bytes, in both directions. Invariant: a decoded message re-encodes to exactly the
 * input bytes (encodeMediaMessage), its payload is a no-copy view of the input; anything
 * refused is a ProtocolError; never another exception.
 */
import { ProtocolError, decodeMediaMessage, encodeMediaMessage, type MediaDirection } from '@vigil/protocol';
import { asBytes, expectTyped } from './invariants';

const DIRECTIONS: (MediaDirection | undefined)[] = [undefined, 'sentinel-to-server', 'server-to-proctor'];

export function fuzz(data: Buffer): void {
  const bytes = asBytes(data);
  for (const direction of DIRECTIONS) {
    expectTyped(ProtocolError, () => {
      const { header, payload } = decodeMediaMessage(bytes, direction ? { direction } : {});
      if (payload.buffer !== bytes.buffer || payload.byteOffset !== bytes.byteOffset + 16) throw new Error('payload is not a view of the input');
      const again = encodeMediaMessage(header, payload);
      if (again.length !== bytes.length || again.some((b, i) => b !== bytes[i])) {
        throw new Error(`re-encoding ${JSON.stringify(header)} gave different bytes`);
      }
    });
  }
}
