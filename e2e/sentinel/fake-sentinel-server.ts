import { createServer, type Server } from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  decodeMediaMessage,
  encodeControl,
  hasMediaFlag,
  MediaFlags,
  MediaKind,
  parseSentinelMessage,
  type HelloMessage,
  type ServerToSentinelMessage,
  type StatusMessage,
} from '@vigil/protocol';

/** One media message as the fake server stored it. */
export interface StoredMessage {
  sequence: number;
  kind: MediaKind;
  join: boolean;
  /** The fMP4 payload (init segment or fragment), a private copy. */
  payload: Uint8Array;
  /** Date.now() when it first arrived. */
  receivedAtMs: number;
  /** Which connection (1-based) delivered it first. */
  connection: number;
}

/** What happened on the wire, in order. */
export type WireEvent =
  | { type: 'hello'; connection: number; hello: HelloMessage; atMs: number }
  | { type: 'media'; connection: number; sequence: number; duplicate: boolean; atMs: number }
  | { type: 'status'; connection: number; status: StatusMessage; atMs: number }
  | { type: 'sent'; connection: number; message: ServerToSentinelMessage; atMs: number }
  | { type: 'close'; connection: number; atMs: number };

/**
 * A tiny Vigil server for the Sentinel: node:http serves the built page at /sentinel/ (and an
 * exam content page at /content/), a real `ws` WebSocketServer speaks @vigil/protocol on
 * /ws/sentinel: welcome, cumulative acks (switchable), keyframe and set-fps on demand, and
 * duplicate detection on resend (a duplicate must carry the very same bytes).
 */
export class FakeSentinelServer {
  readonly stored = new Map<number, StoredMessage>();
  readonly events: WireEvent[] = [];
  readonly problems: string[] = [];
  /** Send an ack after every stored message. */
  autoAck = true;
  /** Frame rate announced in welcome (follows set-fps, like the real server's stream state). */
  welcomeFps = 1;
  /** Highest sequence acknowledged so far (what the server tells a resuming Sentinel). */
  acked = 0;
  private http: Server | null = null;
  private wss: WebSocketServer | null = null;
  private socket: WebSocket | null = null;
  private connections = 0;
  private readonly streamId = 'st-e2e-1';

  constructor(
    private readonly distDir: string,
    private readonly contentHtml: string,
  ) {}

  /** Base URL, e.g. http://127.0.0.1:39123 */
  baseUrl = '';

  async start(): Promise<void> {
    this.http = createServer((req, res) => void this.serve(req.url ?? '/', res));
    this.wss = new WebSocketServer({ server: this.http, path: '/ws/sentinel', maxPayload: 8 * 1024 * 1024 });
    this.wss.on('connection', (ws) => this.onConnection(ws));
    await new Promise<void>((resolve) => this.http!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.http.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const client of this.wss?.clients ?? []) client.terminate();
    await new Promise<void>((resolve) => this.wss?.close(() => resolve()) ?? resolve());
    await new Promise<void>((resolve) => this.http?.close(() => resolve()) ?? resolve());
  }

  /** Number of WebSocket connections so far. */
  get connectionCount(): number {
    return this.connections;
  }

  /** Highest sequence stored with no gap below it. */
  get contiguous(): number {
    let n = 0;
    while (this.stored.has(n + 1)) n++;
    return n;
  }

  /** Sends a control message to the connected Sentinel. */
  send(message: ServerToSentinelMessage): void {
    if (this.socket === null) throw new Error('no Sentinel connected');
    this.socket.send(encodeControl(message));
    if (message.type === 'set-fps') this.welcomeFps = message.fps; // a resuming Sentinel keeps the rate
    this.events.push({ type: 'sent', connection: this.connections, message, atMs: Date.now() });
  }

  /** Closes the Sentinel's socket from the server side (1001 going away). */
  dropConnection(): void {
    this.socket?.close(1001, 'test: server closes the socket');
  }

  /** Fragments stored, in sequence order. */
  fragments(): StoredMessage[] {
    return [...this.stored.values()].filter((m) => m.kind === MediaKind.Fragment).sort((a, b) => a.sequence - b.sequence);
  }

  private async serve(url: string, res: import('node:http').ServerResponse): Promise<void> {
    const pathname = new URL(url, 'http://x').pathname;
    if (pathname === '/content/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(this.contentHtml);
      return;
    }
    const match = /^\/sentinel\/(index\.html|sentinel\.js|sentinel\.js\.map)?$/.exec(pathname);
    if (match === null) {
      res.writeHead(404).end('not found');
      return;
    }
    const file = match[1] ?? 'index.html';
    const type = file.endsWith('.html') ? 'text/html; charset=utf-8' : file.endsWith('.js') ? 'text/javascript' : 'application/json';
    try {
      res.writeHead(200, { 'content-type': type }).end(await readFile(path.join(this.distDir, file)));
    } catch {
      res.writeHead(404).end('build the Sentinel first: node frontend-sentinel/build.mjs');
    }
  }

  private onConnection(ws: WebSocket): void {
    const connection = ++this.connections;
    this.socket?.terminate();
    this.socket = ws;
    let welcomed = false;
    ws.on('message', (data, isBinary) => {
      const atMs = Date.now();
      if (!isBinary) {
        const message = parseSentinelMessage(data.toString());
        if (message.type === 'hello') {
          this.events.push({ type: 'hello', connection, hello: message, atMs });
          if (message.streamId !== undefined && message.streamId !== this.streamId) this.problems.push(`hello resumes unknown stream ${message.streamId}`);
          welcomed = true;
          this.send({ type: 'welcome', protocol: 1, streamId: this.streamId, lastAckedSequence: this.acked, fps: this.welcomeFps });
        } else if (message.type === 'status') {
          this.events.push({ type: 'status', connection, status: message, atMs });
        }
        return;
      }
      if (!welcomed) {
        this.problems.push(`connection ${connection}: media before hello`);
        return;
      }
      const bytes = new Uint8Array(data as Buffer);
      const { header, payload } = decodeMediaMessage(bytes, { direction: 'sentinel-to-server' });
      const existing = this.stored.get(header.sequence);
      const duplicate = existing !== undefined;
      this.events.push({ type: 'media', connection, sequence: header.sequence, duplicate, atMs });
      if (duplicate) {
        if (Buffer.compare(Buffer.from(existing.payload), Buffer.from(payload)) !== 0) {
          this.problems.push(`sequence ${header.sequence} was resent with different bytes`);
        }
      } else {
        if (header.sequence !== this.contiguous + 1) {
          this.problems.push(`sequence gap: got ${header.sequence} after ${this.contiguous}`);
        }
        this.stored.set(header.sequence, {
          sequence: header.sequence,
          kind: header.kind,
          join: hasMediaFlag(header.flags, MediaFlags.Join),
          payload: payload.slice(),
          receivedAtMs: atMs,
          connection,
        });
      }
      if (this.autoAck && this.contiguous > this.acked) {
        this.acked = this.contiguous;
        this.send({ type: 'ack', sequence: this.acked });
      }
    });
    ws.on('close', () => {
      this.events.push({ type: 'close', connection, atMs: Date.now() });
      if (this.socket === ws) this.socket = null;
    });
  }
}
