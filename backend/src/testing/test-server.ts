import type { INestApplication } from '@nestjs/common';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import WebSocket from 'ws';
import { encodeControl, parseServerToSentinel, type ServerToSentinelMessage } from '@vigil/protocol';
import { streamMessages } from './media-fixtures';
import { createApp } from '../main';
import { loadConfig, type VigilConfig } from '../config/vigil-config';
import { UsersService } from '../users-api/users.service';
import { DatabaseService } from '../db/database.service';
import type { LogDestination } from '../common/json-logging';

/**
 * Hook and test timeout for suites that start servers: Nest start-up, migrations and
 * argon2 hashing take a few seconds on a busy 2-core machine (Jest's default is 5 s).
 */
export const SERVER_TEST_TIMEOUT_MS = 30_000;

/**
 * Test servers over real HTTP and WebSocket on 127.0.0.1, against embedded SQLite and,
 * when `TEST_DATABASE_URL` is set, a real PostgreSQL (each server gets its own schema,
 * dropped afterwards). `describe.each(TEST_DATABASES)` runs a suite on both.
 */

/** The databases to run API tests against: always SQLite, PostgreSQL with TEST_DATABASE_URL. */
export const TEST_DATABASES: ('sqlite' | 'postgres')[] = ['sqlite', ...(process.env['TEST_DATABASE_URL'] ? (['postgres'] as const) : [])];

/** A running test server. */
export interface TestServer {
  app: INestApplication;
  config: VigilConfig;
  /** `127.0.0.1:PORT` */
  host: string;
  /** `http://127.0.0.1:PORT` */
  base: string;
  dataDir: string;
  close(): Promise<void>;
}

/**
 * Starts the real application (createApp) on a loopback port with a temporary data folder.
 * @param env extra environment (VIGIL_*)
 * @param logs where the logs go: by default errors only, Nest's format on stdout; with
 *   `VIGIL_LOG_FORMAT=json` in `env`, `destination` collects the JSON lines (`verbose`: info and up)
 */
export async function startTestServer(
  database: 'sqlite' | 'postgres',
  env: Record<string, string> = {},
  logs: { destination?: LogDestination; verbose?: boolean } = {},
): Promise<TestServer> {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'vigil-api-'));
  let dropSchema: (() => Promise<void>) | null = null;
  const dbEnv: Record<string, string> = {};
  if (database === 'postgres') {
    const url = process.env['TEST_DATABASE_URL'];
    if (!url) throw new Error('TEST_DATABASE_URL is not set');
    const schema = `vigil_test_${randomBytes(6).toString('hex')}`;
    const admin = new Client({ connectionString: url });
    try {
      await admin.connect();
      await admin.query(`create schema ${schema}`);
    } finally {
      await admin.end(); // an open client would keep Jest from exiting
    }
    const u = new URL(url);
    u.searchParams.set('options', `-c search_path=${schema}`);
    dbEnv['DATABASE_URL'] = u.toString();
    dropSchema = async () => {
      const c = new Client({ connectionString: url });
      try {
        await c.connect();
        await c.query(`drop schema ${schema} cascade`);
      } finally {
        await c.end();
      }
    };
  }
  const config = loadConfig({
    VIGIL_DATA_DIR: dataDir,
    VIGIL_WEB_DIR: path.join(dataDir, 'web'),
    VIGIL_FSYNC: 'false',
    VIGIL_LOGIN_RATE_LIMIT: '1000',
    ...dbEnv,
    ...env,
  });
  const app = await createApp(config, { quiet: !logs.verbose, logDestination: logs.destination });
  try {
    await app.listen(0, '127.0.0.1');
  } catch (e) {
    await app.close();
    throw e;
  }
  const host = `127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  return {
    app,
    config,
    host,
    base: `http://${host}`,
    dataDir,
    async close() {
      await app.close();
      await dropSchema?.();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A response: status, headers, parsed JSON (or text) body. */
export interface TestResponse {
  status: number;
  headers: Headers;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests check bodies field by field
  body: any;
  text: string;
}

/** Options of one request. */
export interface RequestOptions {
  body?: unknown;
  csv?: string;
  headers?: Record<string, string>;
}

/**
 * An HTTP client with its own cookie (a browser tab) or API key (a script).
 * Sends `Origin` like a browser does on writes.
 */
export class TestClient {
  cookie: string | null = null;
  constructor(
    readonly server: TestServer,
    public apiKey: string | null = null,
  ) {}

  async request(method: string, pathName: string, options: RequestOptions = {}): Promise<TestResponse> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.cookie) headers['cookie'] = this.cookie;
    if (this.apiKey) headers['authorization'] = `Bearer ${this.apiKey}`;
    if (method !== 'GET' && headers['origin'] === undefined) headers['origin'] = this.server.base;
    let body: string | undefined;
    if (method === 'GET' || method === 'HEAD') {
      // no body
    } else if (options.csv !== undefined) {
      headers['content-type'] = 'text/csv';
      body = options.csv;
    } else if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    const res = await fetch(`${this.server.base}${pathName}`, { method, headers, body });
    const setCookie = res.headers.get('set-cookie');
    if (setCookie) {
      const value = /vigil_session=([^;]*)/.exec(setCookie)?.[1] ?? '';
      this.cookie = value ? `vigil_session=${value}` : null;
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (CSV, HTML)
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  }

  get(pathName: string, options?: RequestOptions) {
    return this.request('GET', pathName, options);
  }
  post(pathName: string, body?: unknown, options?: RequestOptions) {
    return this.request('POST', pathName, { ...options, body });
  }
  put(pathName: string, body?: unknown, options?: RequestOptions) {
    return this.request('PUT', pathName, { ...options, body });
  }
  patch(pathName: string, body?: unknown, options?: RequestOptions) {
    return this.request('PATCH', pathName, { ...options, body });
  }
  delete(pathName: string, options?: RequestOptions) {
    return this.request('DELETE', pathName, options);
  }

  /** Logs in; with `newPassword`, also replaces the one-time password. */
  async login(email: string, password: string, newPassword?: string): Promise<TestResponse> {
    const res = await this.post('/api/auth/login', { email, password });
    if (res.status !== 200) throw new Error(`login ${email}: ${res.status} ${res.text}`);
    if (newPassword) {
      const changed = await this.post('/api/auth/password', { currentPassword: password, newPassword });
      if (changed.status !== 204) throw new Error(`password change ${email}: ${changed.status} ${changed.text}`);
    }
    return res;
  }
}

/** Password the helpers give every user after their one-time password. */
export const TEST_PASSWORD = 'correct horse battery staple';

/** An admin created the way the CLI does, logged in with a changed password. */
export async function adminClient(server: TestServer, email = 'admin@vigil.test'): Promise<TestClient> {
  const created = await server.app.get(UsersService).ensureAdmin(email, { principal: null, ip: null });
  if (!created) throw new Error(`${email} exists`);
  const client = new TestClient(server);
  await client.login(email, created.oneTimePassword, TEST_PASSWORD);
  return client;
}

/** A proctor created by `admin` through the API, logged in with a changed password, assigned to `examIds`. */
export async function proctorClient(admin: TestClient, email: string, examIds: string[]): Promise<{ client: TestClient; userId: string }> {
  const created = await admin.post('/api/users', { email, role: 'proctor' });
  if (created.status !== 201) throw new Error(`create ${email}: ${created.status} ${created.text}`);
  for (const examId of examIds) {
    const assigned = await admin.put(`/api/exams/${examId}/proctors/${created.body.user.id}`);
    if (assigned.status !== 204) throw new Error(`assign ${email}: ${assigned.status} ${assigned.text}`);
  }
  const client = new TestClient(admin.server);
  await client.login(email, created.body.oneTimePassword, TEST_PASSWORD);
  return { client, userId: created.body.user.id };
}

/** An exam through the API; its window is now - 1 h .. now + 2 h unless given. */
export async function createExam(admin: TestClient, fields: Record<string, unknown> = {}): Promise<{ id: string; name: string; endsAtMs: number; defaultFps: number }> {
  const now = Date.now();
  const res = await admin.post('/api/exams', { name: 'Exam', startsAtMs: now - 3600_000, endsAtMs: now + 7200_000, ...fields });
  if (res.status !== 201) throw new Error(`create exam: ${res.status} ${res.text}`);
  return res.body;
}

/** A seat through the API, with its kiosk URL and token. */
export async function createSeat(admin: TestClient, examId: string, studentId: string): Promise<{ id: string; examId: string; token: string; kioskUrl: string }> {
  const res = await admin.post(`/api/exams/${examId}/seats`, { studentId, displayName: `Student ${studentId}` });
  if (res.status !== 201) throw new Error(`create seat: ${res.status} ${res.text}`);
  return res.body;
}

/** The database of a test server (to age sessions, inspect rows). */
export function databaseOf(server: TestServer): DatabaseService {
  return server.app.get(DatabaseService);
}

/** An open WebSocket with what arrived: text parsed with `parse`, binary as bytes, and the close code. */
export interface TestSocket<T> {
  ws: WebSocket;
  texts: T[];
  binaries: Uint8Array[];
  closed: Promise<number>;
  until(ok: () => boolean, what?: string): Promise<void>;
}

/** Opens a WebSocket to the server with optional headers (cookie, origin, authorization). */
export async function openSocket<T>(server: TestServer, pathName: string, parse: (t: string) => T, headers: Record<string, string> = {}): Promise<TestSocket<T>> {
  const ws = new WebSocket(`ws://${server.host}${pathName}`, { headers });
  const texts: T[] = [];
  const binaries: Uint8Array[] = [];
  ws.on('message', (data, isBinary) => {
    if (isBinary) binaries.push(new Uint8Array(data as Buffer));
    else texts.push(parse(data.toString()));
  });
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const until = async (ok: () => boolean, what = 'condition') => {
    for (let i = 0; i < 300 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!ok()) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(texts)}`);
  };
  return { ws, texts, binaries, closed, until };
}

/** Headers a browser tab of `client` sends on a WebSocket upgrade. */
export function browserHeaders(client: TestClient): Record<string, string> {
  return { origin: client.server.base, ...(client.cookie ? { cookie: client.cookie } : {}) };
}

/** A Sentinel connected through the real gateway with a seat token. */
export interface TestSentinel {
  socket: TestSocket<ServerToSentinelMessage>;
  /** The stream id from `welcome`, or null when refused. */
  streamId: string | null;
  first: ServerToSentinelMessage;
}

/**
 * Opens `/ws/sentinel`, says hello with the seat's token (or `token`), and on `welcome`
 * uploads an init segment and `frames` fragments and waits for their acks.
 */
export async function connectSentinel(
  server: TestServer,
  seat: { id: string; examId: string; token: string },
  options: { token?: string; examId?: string; seatId?: string; frames?: number } = {},
): Promise<TestSentinel> {
  const socket = await openSocket(server, '/ws/sentinel', parseServerToSentinel);
  socket.ws.send(
    encodeControl({
      type: 'hello', protocol: 1, token: options.token ?? seat.token, examId: options.examId ?? seat.examId, seatId: options.seatId ?? seat.id,
      encoder: 'webcodecs', userAgent: 'jest', capabilities: { encoders: ['webcodecs'] },
    }),
  );
  await socket.until(() => socket.texts.length > 0, 'welcome or error');
  const first = socket.texts[0];
  if (first.type !== 'welcome') return { socket, streamId: null, first };
  const messages = streamMessages(options.frames ?? 3, 5);
  for (const m of messages) socket.ws.send(m);
  await socket.until(() => socket.texts.some((t) => t.type === 'ack' && t.sequence === messages.length), 'acks');
  return { socket, streamId: first.streamId, first };
}
