import { isIP } from 'node:net';
import { z } from 'zod';

/**
 * Server configuration, read once from the environment at start-up.
 * Every option has a unit and a default; invalid values stop the server with a
 * message that names the variable.
 */
export interface VigilConfig {
  /** TCP port for HTTP and WebSocket. `VIGIL_PORT`, default 8080. */
  port: number;
  /** Address to bind. `VIGIL_HOST`, default 127.0.0.1 (put a TLS-terminating proxy in front before opening it up). */
  host: string;
  /** Folder for recordings and indexes. `VIGIL_DATA_DIR`, default `./data`. */
  dataDir: string;
  /** Folder holding the built pages (`frontend-sentinel/`, `frontend-proctor/browser`). `VIGIL_WEB_DIR`, default `./dist`. */
  webDir: string;
  /** Seconds of media each stream keeps in memory (whole segments overlapping this window). `VIGIL_BUFFER_SECONDS`, default 20, 5..120. */
  bufferSeconds: number;
  /** Memory budget per stream, bytes. `VIGIL_BUFFER_STREAM_BYTES`, default 32 MiB. */
  bufferStreamBytes: number;
  /** Memory budget over all streams, bytes, reserved as address space at the first stream (relay/chunk-pool.ts). `VIGIL_BUFFER_TOTAL_BYTES`, default 1 GiB. */
  bufferTotalBytes: number;
  /** A join fragment older than this (seconds of media time behind the live edge) makes a joining viewer wait for a fresh keyframe. `VIGIL_JOIN_MAX_AGE_SECONDS`, default 3. */
  joinMaxAgeSeconds: number;
  /** Minimum spacing of keyframe requests to one Sentinel, ms. `VIGIL_KEYFRAME_MIN_INTERVAL_MS`, default 1000. */
  keyframeMinIntervalMs: number;
  /** A viewer whose socket holds more than this many unsent bytes skips to the next join fragment. `VIGIL_VIEWER_MAX_BUFFERED_BYTES`, default 4 MiB. */
  viewerMaxBufferedBytes: number;
  /** fdatasync every fragment before acknowledging it. `VIGIL_FSYNC`, default true. */
  fsync: boolean;
  /** A disconnected stream is marked ended after this many ms without a reconnect. `VIGIL_STREAM_END_AFTER_MS`, default 60000. */
  streamEndAfterMs: number;
  /** Most streams the server holds at once (at most 5000, what a stream list carries). `VIGIL_MAX_STREAMS`, default 3000. */
  maxStreams: number;
  /** Most streams of one exam. `VIGIL_MAX_STREAMS_PER_EXAM`, default 1000. */
  maxStreamsPerExam: number;
  /** Most streams of one seat (a reloaded page opens one while the old one waits to end). `VIGIL_MAX_STREAMS_PER_SEAT`, default 3. */
  maxStreamsPerSeat: number;
  /** Joining streams whose setup (recording folder, init segment, their syncs) runs at once; later joins wait in arrival order. `VIGIL_JOIN_CONCURRENCY`, default 2. */
  joinConcurrency: number;
  /** Bytes one stream may queue for the disk while writes fail; past it the Sentinel resends later from its backlog. `VIGIL_PENDING_WRITE_BYTES`, default 64 MiB. */
  pendingWriteBytes: number;
  /** After an exam's end, how long a Sentinel may still upload its backlog (`hello.uploadOnly`), hours. `VIGIL_UPLOAD_GRACE_HOURS`, default 24, 0..720. */
  uploadGraceHours: number;
  /** Most open Sentinel WebSockets (authenticated or not). `VIGIL_MAX_SENTINEL_CONNECTIONS`, default 5000. */
  maxSentinelConnections: number;
  /** Most open proctor WebSockets. `VIGIL_MAX_PROCTOR_CONNECTIONS`, default 1000. */
  maxProctorConnections: number;
  /** Most open proctor WebSockets of one user or API key. `VIGIL_MAX_PROCTOR_CONNECTIONS_PER_USER`, default 20. */
  maxProctorConnectionsPerUser: number;
  /** A Sentinel WebSocket must send `hello` this soon after opening, ms. `VIGIL_HELLO_TIMEOUT_MS`, default 10000. */
  helloTimeoutMs: number;
  /** How often the server pings every WebSocket, ms. `VIGIL_PING_INTERVAL_MS`, default 10000. */
  pingIntervalMs: number;
  /** A WebSocket silent (no Pong, no message) this long is closed as half-open, ms. `VIGIL_PONG_TIMEOUT_MS`, default 20000. */
  pongTimeoutMs: number;
  /** How often expired recordings are deleted, minutes. `VIGIL_RETENTION_SWEEP_MINUTES`, default 60, 1..1440. */
  retentionSweepMinutes: number;
  /** How often live streams are checked against their exam's end, seconds; streams of an exam that is over get `stop`. `VIGIL_EXAM_END_CHECK_SECONDS`, default 10, 1..300. */
  examEndCheckSeconds: number;
  /** Retention of recordings whose exam no longer exists, days. `VIGIL_RETENTION_DEFAULT_DAYS`, default 30, 1..3650. */
  retentionDefaultDays: number;
  /** Frame rate a new stream starts with when its exam does not say, fps. `VIGIL_DEFAULT_FPS`, default 1. */
  defaultFps: number;
  /**
   * Frame rate of a stream while a proctor's focused (large) view watches it, fps; tiles on a
   * wall do not count, and an admin's rate wins. `VIGIL_FOCUS_FPS`, 0.2..5, default 5; a value
   * at or below the exam's rate changes nothing.
   */
  focusFps: number;
  /** An alert is raised when a stream's Sentinel has been gone this long, seconds. `VIGIL_ALERT_DISCONNECTED_SECONDS`, default 30. */
  alertDisconnectedSeconds: number;
  /** An alert is raised when a live stream's screen has been blank (one flat colour) this long, seconds. `VIGIL_ALERT_BLANK_SECONDS`, default 10. */
  alertBlankSeconds: number;
  /** An alert is raised when a live stream's screen has not changed this long, seconds. `VIGIL_ALERT_FROZEN_SECONDS`, default 120. */
  alertFrozenSeconds: number;
  /** Sentinel `event` messages stored per stream per minute (more are acknowledged and dropped). `VIGIL_SENTINEL_EVENTS_PER_MINUTE`, default 60. */
  sentinelEventsPerMinute: number;
  /** Exam application events (`POST /api/sentinel/events`) per seat per minute (more: 429). `VIGIL_EXAM_APP_EVENTS_PER_MINUTE`, default 30. */
  examAppEventsPerMinute: number;
  /**
   * Load shedding (backend/src/relay/load-shedding.ts): what counts as overload. Event-loop
   * delay p99 over a second, ms (`VIGIL_SHED_LOOP_DELAY_MS`, default 200); bytes queued to
   * viewers (`VIGIL_SHED_EGRESS_MB`, MiB, default 256); slowest ack (write + fdatasync), ms
   * (`VIGIL_SHED_ACK_MS`, default 2000); calm seconds before a level is restored
   * (`VIGIL_SHED_RESTORE_SECONDS`, default 30).
   */
  shedLoopDelayMs: number;
  /** Load shedding on (default) or off (`VIGIL_LOAD_SHEDDING=off`: capacity benchmarks measure the server without it). */
  loadShedding: boolean;
  shedEgressBytes: number;
  shedAckMs: number;
  shedRestoreSeconds: number;
  /** PostgreSQL connection string (`postgres://user:pass@host/db`). `DATABASE_URL`; unset = embedded SQLite `<dataDir>/vigil.db`. */
  databaseUrl: string | null;
  /** Secret for seat-token signatures, at least 32 characters. `VIGIL_SECRET`; unset = generated once into `<dataDir>/secret.key` (mode 0600). */
  secret: string | null;
  /** E-mail of an admin created on start (one-time password printed once) when no user has it. `VIGIL_ADMIN_EMAIL`, default none. */
  adminEmail: string | null;
  /** Absolute lifetime of a login session, minutes. `VIGIL_SESSION_TTL_MINUTES`, default 720 (12 h). */
  sessionTtlMinutes: number;
  /** A session unused for this long ends, minutes. `VIGIL_SESSION_IDLE_MINUTES`, default 120. */
  sessionIdleMinutes: number;
  /** Login attempts allowed per client address per minute. `VIGIL_LOGIN_RATE_LIMIT`, default 10. */
  loginRateLimit: number;
  /** Failed logins allowed per account (e-mail, known or not) per {@link loginAccountWindowMinutes}; then 429 until the window frees. `VIGIL_LOGIN_ACCOUNT_LIMIT`, default 10. */
  loginAccountLimit: number;
  /** The window of {@link loginAccountLimit}, minutes. `VIGIL_LOGIN_ACCOUNT_WINDOW_MINUTES`, default 15. */
  loginAccountWindowMinutes: number;
  /** A seat token opens this many minutes before its exam's start (a hello earlier is refused with `auth-failed`). `VIGIL_SEAT_EARLY_MINUTES`, default 30, 0..1440. */
  seatEarlyMinutes: number;
  /** Who may read the OpenAPI page `/api/docs` and `/api/docs-json`: `on` (anyone), `off` (404), `login` (a logged-in proctor or admin, or an admin API key). `VIGIL_API_DOCS`, default `login`. */
  apiDocs: 'on' | 'off' | 'login';
  /** Public base URL (`https://proctor.example.org`), used in kiosk URLs and as an allowed `Origin`. `VIGIL_PUBLIC_URL`, default none (the request's own). */
  publicUrl: string | null;
  /** Further origins allowed to open `/ws/proctor` with a session cookie. `VIGIL_ALLOWED_ORIGINS`, comma-separated, default none. */
  allowedOrigins: string[];
  /** Express `trust proxy` setting, for client addresses and HTTPS detection behind a proxy. `VIGIL_TRUST_PROXY`, default off; e.g. `loopback` or a hop count. */
  trustProxy: string | null;
  // --- connection caps per Sentinel owner (gateways/connection-limits.ts; issue 8 finding 6) ---
  /** Most open Sentinel WebSockets of one exam (after `hello`). `VIGIL_MAX_SENTINEL_CONNECTIONS_PER_EXAM`, default 1000. */
  maxSentinelConnectionsPerExam: number;
  /** Most open Sentinel WebSockets of one seat (after `hello`; a resume that takes over its own stream does not count the old one). `VIGIL_MAX_SENTINEL_CONNECTIONS_PER_SEAT`, default 4. */
  maxSentinelConnectionsPerSeat: number;
  // --- live statistics, metrics and logs (issue 11 part 3) ---
  /** A fragment older than this at arrival (server time − capture time) counts as resent backlog, seconds. `VIGIL_BACKLOG_AGE_SECONDS`, default 10, 1..3600. */
  backlogAgeSeconds: number;
  /** Bearer token that opens `GET /metrics` from any client (at least 32 characters). `VIGIL_METRICS_TOKEN`, default none. */
  metricsToken: string | null;
  /** Serve `GET /metrics` without a token to loopback clients (not proxied). `VIGIL_METRICS_LOOPBACK`, default false. Neither this nor a token: `/metrics` is off (404). */
  metricsLoopback: boolean;
  /** Log format: `text` (Nest's readable lines) or `json` (pino: one JSON object per line, request ids, redaction). `VIGIL_LOG_FORMAT`, default `text`. */
  logFormat: 'text' | 'json';
}

const MiB = 1024 * 1024;
const intInRange = (min: number, max: number, def: number) =>
  z.coerce.number().int().min(min).max(max).default(def);

const schema = z.object({
  VIGIL_PORT: intInRange(0, 65535, 8080),
  VIGIL_HOST: z.string().min(1).default('127.0.0.1'),
  VIGIL_DATA_DIR: z.string().min(1).default('./data'),
  VIGIL_WEB_DIR: z.string().min(1).default('./dist'),
  VIGIL_BUFFER_SECONDS: z.coerce.number().min(5).max(120).default(20),
  VIGIL_BUFFER_STREAM_BYTES: intInRange(1 * MiB, 1024 * MiB, 32 * MiB),
  VIGIL_BUFFER_TOTAL_BYTES: intInRange(16 * MiB, 64 * 1024 * MiB, 1024 * MiB),
  VIGIL_JOIN_MAX_AGE_SECONDS: z.coerce.number().min(0).max(60).default(3),
  VIGIL_KEYFRAME_MIN_INTERVAL_MS: intInRange(0, 60_000, 1000),
  VIGIL_VIEWER_MAX_BUFFERED_BYTES: intInRange(64 * 1024, 256 * MiB, 4 * MiB),
  VIGIL_FSYNC: z.enum(['true', 'false', '1', '0']).default('true').transform((v) => v === 'true' || v === '1'),
  VIGIL_STREAM_END_AFTER_MS: intInRange(1000, 24 * 3600_000, 60_000),
  VIGIL_MAX_STREAMS: intInRange(1, 5000, 3000),
  VIGIL_MAX_STREAMS_PER_EXAM: intInRange(1, 5000, 1000),
  VIGIL_MAX_STREAMS_PER_SEAT: intInRange(1, 100, 3),
  VIGIL_JOIN_CONCURRENCY: intInRange(1, 64, 2),
  VIGIL_PENDING_WRITE_BYTES: intInRange(1 * MiB, 4096 * MiB, 64 * MiB),
  VIGIL_UPLOAD_GRACE_HOURS: z.coerce.number().min(0).max(720).default(24),
  VIGIL_MAX_SENTINEL_CONNECTIONS: intInRange(1, 100_000, 5000),
  VIGIL_MAX_PROCTOR_CONNECTIONS: intInRange(1, 100_000, 1000),
  VIGIL_MAX_PROCTOR_CONNECTIONS_PER_USER: intInRange(1, 1000, 20),
  VIGIL_HELLO_TIMEOUT_MS: intInRange(100, 120_000, 10_000),
  VIGIL_PING_INTERVAL_MS: intInRange(100, 120_000, 10_000),
  VIGIL_PONG_TIMEOUT_MS: intInRange(200, 300_000, 20_000),
  VIGIL_RETENTION_SWEEP_MINUTES: intInRange(1, 1440, 60),
  VIGIL_EXAM_END_CHECK_SECONDS: intInRange(1, 300, 10),
  VIGIL_RETENTION_DEFAULT_DAYS: intInRange(1, 3650, 30),
  VIGIL_DEFAULT_FPS: z.coerce.number().min(0.2).max(5).default(1),
  VIGIL_FOCUS_FPS: z.coerce.number().min(0.2).max(5).default(5),
  VIGIL_ALERT_DISCONNECTED_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  VIGIL_ALERT_BLANK_SECONDS: z.coerce.number().int().min(1).max(3600).default(10),
  VIGIL_ALERT_FROZEN_SECONDS: z.coerce.number().int().min(1).max(86_400).default(120),
  VIGIL_SENTINEL_EVENTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(60),
  VIGIL_EXAM_APP_EVENTS_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  VIGIL_LOAD_SHEDDING: z.enum(['on', 'off'], { error: 'must be "on" or "off"' }).default('on'),
  VIGIL_SHED_LOOP_DELAY_MS: z.coerce.number().int().min(1).max(60_000).default(200),
  VIGIL_SHED_EGRESS_MB: z.coerce.number().int().min(1).max(1 << 20).default(256),
  VIGIL_SHED_ACK_MS: z.coerce.number().int().min(1).max(600_000).default(2000),
  VIGIL_SHED_RESTORE_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: 'must be a postgres:// or postgresql:// URL (unset = embedded SQLite in VIGIL_DATA_DIR)' })
    .optional(),
  VIGIL_SECRET: z.string().min(32, { error: 'must be at least 32 characters (e.g. openssl rand -hex 32)' }).optional(),
  VIGIL_ADMIN_EMAIL: z.email({ error: 'must be an e-mail address' }).optional(),
  VIGIL_SESSION_TTL_MINUTES: intInRange(5, 7 * 24 * 60, 720),
  VIGIL_SESSION_IDLE_MINUTES: intInRange(5, 7 * 24 * 60, 120),
  VIGIL_LOGIN_RATE_LIMIT: intInRange(1, 10_000, 10),
  VIGIL_LOGIN_ACCOUNT_LIMIT: intInRange(1, 10_000, 10),
  VIGIL_LOGIN_ACCOUNT_WINDOW_MINUTES: intInRange(1, 24 * 60, 15),
  VIGIL_SEAT_EARLY_MINUTES: intInRange(0, 24 * 60, 30),
  VIGIL_API_DOCS: z.enum(['on', 'off', 'login'], { error: 'must be on, off or login' }).default('login'),
  VIGIL_PUBLIC_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://proctor.example.org' })
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
  VIGIL_ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((o) => o.trim().replace(/\/+$/, '')).filter((o) => o.length > 0))
    .pipe(z.array(z.url({ protocol: /^https?$/, error: 'must be comma-separated http(s) origins' }))),
  VIGIL_TRUST_PROXY: z
    .string()
    .min(1)
    .refine(isTrustProxy, {
      error:
        'must be a hop count (1 = one proxy in front) or comma-separated proxy addresses/CIDRs or loopback, linklocal, uniquelocal ' +
        '("true" would let every client choose its own address, and so dodge the per-address login limit)',
    })
    .optional(),
  // --- connection caps per Sentinel owner (gateways/connection-limits.ts; issue 8 finding 6) ---
  VIGIL_MAX_SENTINEL_CONNECTIONS_PER_EXAM: intInRange(1, 100_000, 1000),
  VIGIL_MAX_SENTINEL_CONNECTIONS_PER_SEAT: intInRange(1, 100, 4),
  // --- live statistics, metrics and logs (issue 11 part 3) ---
  VIGIL_BACKLOG_AGE_SECONDS: z.coerce.number().min(1).max(3600).default(10),
  VIGIL_METRICS_TOKEN: z
    .string()
    .min(32, { error: 'must be at least 32 characters (e.g. openssl rand -hex 32)' })
    .regex(/^[\x21-\x7e]+$/, { error: 'must be printable ASCII without spaces (it is sent as Authorization: Bearer <token>)' })
    .optional(),
  VIGIL_METRICS_LOOPBACK: z
    .enum(['true', 'false', '1', '0'], { error: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true' || v === '1'),
  VIGIL_LOG_FORMAT: z.enum(['text', 'json'], { error: 'must be text or json' }).default('text'),
});

/** Express `trust proxy` values Vigil accepts: a hop count, or addresses, CIDRs and proxy-addr's names (never "trust all"). */
function isTrustProxy(value: string): boolean {
  if (/^\d{1,2}$/.test(value)) return true;
  return value.split(',').every((part) => {
    const p = part.trim();
    if (p === 'loopback' || p === 'linklocal' || p === 'uniquelocal') return true;
    const [address, prefix, ...rest] = p.split('/');
    if (rest.length > 0 || isIP(address) === 0) return false;
    return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (isIP(address) === 4 ? 32 : 128));
  });
}

/**
 * Parses the configuration from an environment map (usually `process.env`).
 * @throws Error naming every invalid variable and its constraint.
 */
export function loadConfig(env: Record<string, string | undefined>): VigilConfig {
  const result = schema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid Vigil configuration:\n  ${lines.join('\n  ')}`);
  }
  const e = result.data;
  return {
    port: e.VIGIL_PORT,
    host: e.VIGIL_HOST,
    dataDir: e.VIGIL_DATA_DIR,
    webDir: e.VIGIL_WEB_DIR,
    bufferSeconds: e.VIGIL_BUFFER_SECONDS,
    bufferStreamBytes: e.VIGIL_BUFFER_STREAM_BYTES,
    bufferTotalBytes: e.VIGIL_BUFFER_TOTAL_BYTES,
    joinMaxAgeSeconds: e.VIGIL_JOIN_MAX_AGE_SECONDS,
    keyframeMinIntervalMs: e.VIGIL_KEYFRAME_MIN_INTERVAL_MS,
    viewerMaxBufferedBytes: e.VIGIL_VIEWER_MAX_BUFFERED_BYTES,
    fsync: e.VIGIL_FSYNC,
    streamEndAfterMs: e.VIGIL_STREAM_END_AFTER_MS,
    maxStreams: e.VIGIL_MAX_STREAMS,
    maxStreamsPerExam: e.VIGIL_MAX_STREAMS_PER_EXAM,
    maxStreamsPerSeat: e.VIGIL_MAX_STREAMS_PER_SEAT,
    joinConcurrency: e.VIGIL_JOIN_CONCURRENCY,
    pendingWriteBytes: e.VIGIL_PENDING_WRITE_BYTES,
    uploadGraceHours: e.VIGIL_UPLOAD_GRACE_HOURS,
    maxSentinelConnections: e.VIGIL_MAX_SENTINEL_CONNECTIONS,
    maxProctorConnections: e.VIGIL_MAX_PROCTOR_CONNECTIONS,
    maxProctorConnectionsPerUser: e.VIGIL_MAX_PROCTOR_CONNECTIONS_PER_USER,
    helloTimeoutMs: e.VIGIL_HELLO_TIMEOUT_MS,
    pingIntervalMs: e.VIGIL_PING_INTERVAL_MS,
    pongTimeoutMs: e.VIGIL_PONG_TIMEOUT_MS,
    retentionSweepMinutes: e.VIGIL_RETENTION_SWEEP_MINUTES,
    examEndCheckSeconds: e.VIGIL_EXAM_END_CHECK_SECONDS,
    retentionDefaultDays: e.VIGIL_RETENTION_DEFAULT_DAYS,
    defaultFps: e.VIGIL_DEFAULT_FPS,
    focusFps: e.VIGIL_FOCUS_FPS,
    alertDisconnectedSeconds: e.VIGIL_ALERT_DISCONNECTED_SECONDS,
    alertBlankSeconds: e.VIGIL_ALERT_BLANK_SECONDS,
    alertFrozenSeconds: e.VIGIL_ALERT_FROZEN_SECONDS,
    sentinelEventsPerMinute: e.VIGIL_SENTINEL_EVENTS_PER_MINUTE,
    examAppEventsPerMinute: e.VIGIL_EXAM_APP_EVENTS_PER_MINUTE,
    shedLoopDelayMs: e.VIGIL_SHED_LOOP_DELAY_MS,
    loadShedding: e.VIGIL_LOAD_SHEDDING === 'on',
    shedEgressBytes: e.VIGIL_SHED_EGRESS_MB * 2 ** 20,
    shedAckMs: e.VIGIL_SHED_ACK_MS,
    shedRestoreSeconds: e.VIGIL_SHED_RESTORE_SECONDS,
    databaseUrl: e.DATABASE_URL ?? null,
    secret: e.VIGIL_SECRET ?? null,
    adminEmail: e.VIGIL_ADMIN_EMAIL?.toLowerCase() ?? null,
    sessionTtlMinutes: e.VIGIL_SESSION_TTL_MINUTES,
    sessionIdleMinutes: e.VIGIL_SESSION_IDLE_MINUTES,
    loginRateLimit: e.VIGIL_LOGIN_RATE_LIMIT,
    loginAccountLimit: e.VIGIL_LOGIN_ACCOUNT_LIMIT,
    loginAccountWindowMinutes: e.VIGIL_LOGIN_ACCOUNT_WINDOW_MINUTES,
    seatEarlyMinutes: e.VIGIL_SEAT_EARLY_MINUTES,
    apiDocs: e.VIGIL_API_DOCS,
    publicUrl: e.VIGIL_PUBLIC_URL ?? null,
    allowedOrigins: e.VIGIL_ALLOWED_ORIGINS.map((o) => new URL(o).origin),
    trustProxy: e.VIGIL_TRUST_PROXY ?? null,
    maxSentinelConnectionsPerExam: e.VIGIL_MAX_SENTINEL_CONNECTIONS_PER_EXAM,
    maxSentinelConnectionsPerSeat: e.VIGIL_MAX_SENTINEL_CONNECTIONS_PER_SEAT,
    backlogAgeSeconds: e.VIGIL_BACKLOG_AGE_SECONDS,
    metricsToken: e.VIGIL_METRICS_TOKEN ?? null,
    metricsLoopback: e.VIGIL_METRICS_LOOPBACK,
    logFormat: e.VIGIL_LOG_FORMAT,
  };
}

/** Nest injection token for {@link VigilConfig}. */
export const VIGIL_CONFIG = Symbol('VIGIL_CONFIG');
