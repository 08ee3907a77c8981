/**
 * Jazzer.js target: libs/protocol's four JSON control parsers on arbitrary text (the bytes
 * decoded as UTF-8, as a WebSocket text message is). Invariant: a parsed message
 * re-encodes (encodeControl) and parses back to the same value; anything refused is a
 * ProtocolError; never another exception.
 */
import {
  ProtocolError,
  encodeControl,
  parseProctorMessage,
  parseSentinelMessage,
  parseServerToProctor,
  parseServerToSentinel,
  type ControlMessage,
} from '@vigil/protocol';
import { isDeepStrictEqual } from 'node:util';
import { expectTyped } from './invariants';

const PARSERS: ((text: string) => ControlMessage)[] = [parseSentinelMessage, parseServerToSentinel, parseProctorMessage, parseServerToProctor];

export function fuzz(data: Buffer): void {
  const text = data.toString('utf8');
  for (const parse of PARSERS) {
    expectTyped(ProtocolError, () => {
      const message = parse(text);
      const again = parse(encodeControl(message));
      if (!isDeepStrictEqual(again, message)) throw new Error(`round trip changed ${JSON.stringify(message)} into ${JSON.stringify(again)}`);
    });
  }
}
