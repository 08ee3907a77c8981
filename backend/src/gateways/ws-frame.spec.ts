/**
 * The relay's pre-built frames against real `ws` sockets: what a client receives is exactly the
 * messages sent, in order with `ws.send`'s own messages, at every length encoding of RFC 6455
 * §5.2, and the cache falls back to `ws.send` where `ws` would queue.
 */
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { encodeMediaHeader, MEDIA_HEADER_BYTES, MediaFlags, MediaKind, readMediaHeader } from '@vigil/protocol';
import { FrameCache, binaryFrame, frameHeaderBytes, writeBinaryFrameHeader } from './ws-frame';
import { wsSendReplay } from './ws-link';
import { waitUntil } from '../testing/wait-until';

interface Pair {
  server: WebSocketServer;
  sockets: WebSocket[]; // the server's side
  clients: WebSocket[];
  received: { binary: boolean; data: Buffer }[][];
}

async function connect(count: number, options: { perMessageDeflate?: boolean } = {}): Promise<Pair> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: options.perMessageDeflate ?? false });
  await new Promise((r) => server.once('listening', r));
  const port = (server.address() as AddressInfo).port;
  const sockets: WebSocket[] = [];
  const clients: WebSocket[] = [];
  const received: Pair['received'] = [];
  for (let i = 0; i < count; i++) {
    const accepted = new Promise<WebSocket>((resolve) => server.once('connection', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${port}`, { perMessageDeflate: options.perMessageDeflate ?? false });
    const log: Pair['received'][number] = [];
    client.on('message', (data, binary) => log.push({ binary, data: Buffer.from(data as Buffer) }));
    await new Promise((r) => client.once('open', r));
    sockets.push(await accepted);
    clients.push(client);
    received.push(log);
  }
  return { server, sockets, clients, received };
}

async function close(pair: Pair): Promise<void> {
  for (const c of pair.clients) c.terminate();
  await new Promise((r) => pair.server.close(r));
}

describe('binaryFrame (RFC 6455 §5.2)', () => {
  it.each([
    [0, '8200'],
    [125, '827d'],
    [126, '827e007e'],
    [65_535, '827effff'],
    [65_536, '827f0000000000010000'],
    [8 * 1024 * 1024, '827f0000000000800000'],
  ])('a %i-byte payload: header %s, then the payload', (length, header) => {
    const payload = randomBytes(length);
    const frame = binaryFrame(payload);
    expect(frameHeaderBytes(length)).toBe(header.length / 2);
    expect(frame.subarray(0, header.length / 2).toString('hex')).toBe(header);
    expect(Buffer.compare(frame.subarray(header.length / 2), payload)).toBe(0);
  });

  it('writes the 64-bit length of sizes above 4 GiB (never sent, but encoded right)', () => {
    const header = Buffer.alloc(10);
    expect(writeBinaryFrameHeader(header, 2 ** 32 + 5)).toBe(10);
    expect(header.toString('hex')).toBe('827f0000000100000005');
  });
});

describe('FrameCache with real ws sockets', () => {
  it('three clients receive every message intact at each length encoding, framed once per message sent to more than one', async () => {
    const pair = await connect(3);
    const cache = new FrameCache();
    const messages = [0, 1, 125, 126, 65_535, 65_536, 223_000].map((n) => randomBytes(n));
    for (const m of messages) for (const s of pair.sockets) cache.send(s, m);
    await waitUntil(() => pair.received.every((r) => r.length === messages.length), 'every message at every client');
    for (const log of pair.received) {
      expect(log.map((r) => r.binary)).toEqual(messages.map(() => true));
      log.forEach((r, i) => expect(Buffer.compare(r.data, messages[i]!)).toBe(0));
    }
    expect(cache.framesWritten).toBe(messages.length * 3);
    expect(cache.framesBuilt).toBe(messages.length); // the first socket got header + message, the others the one frame
    await close(pair);
  });

  it('a stream with one viewer builds no frame (no copy)', async () => {
    const pair = await connect(1);
    const cache = new FrameCache();
    for (let i = 0; i < 5; i++) cache.send(pair.sockets[0]!, randomBytes(1000 + i));
    await waitUntil(() => pair.received[0]!.length === 5, 'five messages');
    expect(cache.framesBuilt).toBe(0);
    expect(cache.framesWritten).toBe(5);
    await close(pair);
  });

  it("keeps its place among ws.send's text messages and replays (fragmented messages)", async () => {
    const pair = await connect(2);
    const cache = new FrameCache();
    const media = Buffer.concat([Buffer.from(encodeMediaHeader({ kind: MediaKind.Fragment, flags: 0, channel: 7, sequence: 3 })), randomBytes(5000)]);
    for (const s of pair.sockets) {
      s.send('{"type":"first"}');
      cache.send(s, media);
      wsSendReplay(s, media);
      cache.send(s, media);
      s.send('{"type":"last"}');
    }
    await waitUntil(() => pair.received.every((r) => r.length === 5), 'five messages at each client');
    for (const log of pair.received) {
      expect(log.map((r) => (r.binary ? 'binary' : r.data.toString()))).toEqual(['{"type":"first"}', 'binary', 'binary', 'binary', '{"type":"last"}']);
      expect(Buffer.compare(log[1]!.data, media)).toBe(0);
      expect(Buffer.compare(log[3]!.data, media)).toBe(0);
      const replay = log[2]!.data;
      expect(readMediaHeader(replay).flags & MediaFlags.Replay).toBe(MediaFlags.Replay);
      expect(Buffer.compare(replay.subarray(MEDIA_HEADER_BYTES), media.subarray(MEDIA_HEADER_BYTES))).toBe(0);
    }
    await close(pair);
  });

  it("goes through ws.send while ws compresses a message, so the order holds", async () => {
    const pair = await connect(1, { perMessageDeflate: true });
    const cache = new FrameCache();
    const socket = pair.sockets[0]!;
    const text = 'x'.repeat(200_000); // deflated on zlib's thread pool: ws queues what follows
    socket.send(text, { compress: true });
    const media = randomBytes(3000);
    cache.send(socket, media);
    await waitUntil(() => pair.received[0]!.length === 2, 'the text and the media message');
    expect(pair.received[0]![0]!.data.toString()).toBe(text);
    expect(Buffer.compare(pair.received[0]![1]!.data, media)).toBe(0);
    expect(cache.framesWritten).toBe(0); // it went through ws
    await close(pair);
  });

  it('drops a message for a socket that is not open, as wsSend does', async () => {
    const pair = await connect(1);
    const cache = new FrameCache();
    const socket = pair.sockets[0]!;
    socket.close();
    expect(() => cache.send(socket, randomBytes(10))).not.toThrow();
    expect(cache.framesWritten).toBe(0);
    await close(pair);
  });

  it('counts a written frame in bufferedAmount while the client does not read', async () => {
    const pair = await connect(1);
    const cache = new FrameCache();
    const socket = pair.sockets[0]!;
    (pair.clients[0] as unknown as { _socket: { pause(): void } })._socket.pause();
    const big = randomBytes(1 << 20);
    for (let i = 0; i < 32 && socket.bufferedAmount === 0; i++) cache.send(socket, big); // until the kernel's buffers are full
    expect(socket.bufferedAmount).toBeGreaterThan(0);
    await close(pair);
  });
});
