/**
 * Jazzer.js target: the server's Sentinel message handling, in process. A real
 * SentinelSession (backend/src/relay/sentinel-session.ts) on a real StreamRegistry with an
 * in-memory StreamWriterFactory gets a valid hello, then a script of text and binary frames
 * decoded from the fuzzer's bytes: raw frames, and media messages with a plausible header
 * (next sequence, init/fragment kind) around a valid init segment or fragment with a few
 * bytes overwritten. Only the session's public API is used (constructor, handleText,
 * handleBinary, handleClose).
 *
 * Invariants: no exception escapes a handler, no promise is rejected unhandled, no error is
 * an unexpected one (code `internal`: a non-ProtocolError caught inside the session), every
 * `error` sent has a known code, and a closed connection was closed with a coded error
 * (1000 only after stop/takeover).
 */
/* eslint-disable @nx/enforce-module-boundaries -- the target drives the server's SentinelSession in process, and backend/ has no package entry point to import it by */
import { ERROR_CODES, MediaFlags, MediaKind, encodeControl, encodeMediaMessage, parseServerToSentinel } from '@vigil/protocol';
import { writeFragment, writeInitSegment } from '@vigil/fmp4';
import { SentinelSession, type SentinelLink } from '../../backend/src/relay/sentinel-session';
import { StreamRegistry, type StreamWriterFactory } from '../../backend/src/relay/stream-registry';
import { testRegistryOptions } from '../../backend/src/testing/registry-options';
import { TEST_AVCC } from '../../backend/src/testing/media-fixtures';

let unhandled: unknown = null;
process.on('unhandledRejection', (reason) => {
  unhandled = reason ?? new Error('unhandled rejection without a reason');
});

const KNOWN_CODES: ReadonlySet<string> = new Set(ERROR_CODES);
const INIT = writeInitSegment({ width: 1280, height: 720, avcC: TEST_AVCC });
const fragment = (sequence: number, frame: number, isSync: boolean): Uint8Array => {
  const sample = new Uint8Array(64);
  new DataView(sample.buffer).setUint32(0, 60);
  sample[4] = isSync ? 0x65 : 0x41;
  return writeFragment({ sequenceNumber: sequence, baseMediaDecodeTime: frame * 18000, duration: 18000, isSync, sample, captureTimeMs: 1.7e12 + frame * 200 });
};

const writers: StreamWriterFactory = {
  open: async () => ({ write: async () => undefined, writeGap: async () => undefined, close: async () => undefined }),
  lookup: async () => null,
};

const HELLO = encodeControl({
  type: 'hello',
  protocol: 1,
  token: 'dev',
  examId: 'exam-1',
  seatId: 'seat-1',
  encoder: 'webcodecs',
  userAgent: 'fuzz',
  capabilities: { encoders: ['webcodecs'] },
});

/** Reads the script: u8 opcodes with u8/u16 operands; past the end everything reads 0. */
class Script {
  private pos = 0;
  constructor(private readonly data: Uint8Array) {}
  get done(): boolean {
    return this.pos >= this.data.length;
  }
  u8(): number {
    return this.pos < this.data.length ? this.data[this.pos++] : 0;
  }
  bytes(n: number): Uint8Array {
    const out = this.data.subarray(this.pos, Math.min(this.data.length, this.pos + n));
    this.pos += out.length;
    return out;
  }
}

export async function fuzz(data: Buffer): Promise<void> {
  const registry = new StreamRegistry(testRegistryOptions());
  const texts: string[] = [];
  const closes: number[] = [];
  const internal: string[] = [];
  const link: SentinelLink = { sendText: (t) => texts.push(t), close: (code) => closes.push(code) };
  const session = new SentinelSession(link, registry, writers, Date.now, {
    rejected: (code, message) => {
      if (code === 'internal') internal.push(message);
    },
  });
  try {
    await session.handleText(HELLO);
    const script = new Script(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    let next = 1;
    let frame = 0;
    for (let step = 0; step < 64 && !script.done; step++) {
      const op = script.u8() % 5;
      if (op === 0) {
        await session.handleText(Buffer.from(script.bytes(script.u8() * 4)).toString('utf8'));
      } else if (op === 1) {
        session.handleBinary(script.bytes(script.u8() * 4));
      } else {
        // A media message with a plausible header; op 2 init segment, 3 join fragment, 4 fragment.
        const kind = op === 2 ? MediaKind.InitSegment : MediaKind.Fragment;
        const sequence = Math.max(1, next + (script.u8() % 4) - 1);
        const payload = kind === MediaKind.InitSegment ? INIT.slice() : fragment(sequence, frame + (script.u8() % 3), op === 3);
        for (let k = script.u8() % 4; k > 0; k--) payload[((script.u8() << 8) | script.u8()) % payload.length] = script.u8();
        const flags = op === 3 ? MediaFlags.Join : 0;
        session.handleBinary(encodeMediaMessage({ kind, flags, channel: 0, sequence }, payload));
        next = sequence + 1;
        frame++;
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (process.env['FUZZ_DEBUG']) console.error({ texts, closes, internal });
    if (internal.length > 0) throw new Error(`session failed internally: ${internal.join('; ')}`);
    for (const text of texts) {
      const message = parseServerToSentinel(text); // throws if the server sent something invalid
      if (message.type === 'error' && !KNOWN_CODES.has(message.code)) throw new Error(`unknown error code ${message.code}`);
    }
    if (closes.length > 0) {
      const coded = texts.some((t) => (parseServerToSentinel(t) as { type: string }).type === 'error');
      if (!coded && !closes.every((c) => c === 1000)) throw new Error(`closed with ${closes.join(',')} without an error message`);
    }
  } finally {
    session.handleClose();
    await registry.close();
  }
  if (unhandled !== null) {
    const reason = unhandled;
    unhandled = null;
    throw reason instanceof Error ? reason : new Error(`unhandled rejection: ${String(reason)}`);
  }
}
