/**
 * Version of the Vigil wire protocol described in `libs/protocol/README.md`.
 * Carried in byte 1 of every binary media message and in `hello.protocol` /
 * `welcome.protocol`. A peer that speaks another version is refused with the
 * error code `unsupported-version`.
 */
export const PROTOCOL_VERSION = 1;

/** URL path of the Sentinel (capture, upload) WebSocket endpoint (RFC 6455 §3, `ws-URI` path). */
export const SENTINEL_WS_PATH = '/ws/sentinel';

/** URL path of the Proctor (viewer) WebSocket endpoint (RFC 6455 §3, `ws-URI` path). */
export const PROCTOR_WS_PATH = '/ws/proctor';

/** Lowest capture frame rate, frames per second (one frame every 5 s). */
export const FPS_MIN = 0.2;

/** Highest capture frame rate, frames per second. */
export const FPS_MAX = 5;

/** Frame rate a new stream starts with unless the server says otherwise in `welcome.fps`, frames per second. */
export const FPS_DEFAULT = 1;

/**
 * Largest binary media message, header included, in bytes (8 MiB).
 *
 * One message carries one init segment or one fragment (normally one frame);
 * a 1080p IDR frame is well under 1 MiB, so this only stops abuse. Servers
 * should also pass it to their WebSocket library (e.g. `ws` `maxPayload`) so
 * an oversized message is refused with close code 1009 "Message Too Big"
 * (RFC 6455 §7.4.1) before it is buffered.
 */
export const MAX_MEDIA_MESSAGE_BYTES = 8 * 1024 * 1024;

/**
 * Largest JSON control message a client (Sentinel or Proctor) may send to the
 * server, in UTF-8 bytes of the WebSocket text frame payload (16 KiB).
 * Client -> server messages (`hello`, `status`, `subscribe`, `unsubscribe`)
 * are a few hundred bytes.
 */
export const MAX_TEXT_MESSAGE_BYTES = 16 * 1024;

/**
 * Largest JSON control message the server may send to a client, in UTF-8
 * bytes (4 MiB). Larger than {@link MAX_TEXT_MESSAGE_BYTES} because the
 * `streams` list grows with the number of streams (about 400 bytes each).
 */
export const MAX_SERVER_TEXT_MESSAGE_BYTES = 4 * 1024 * 1024;

/** Most entries in one `streams` message. */
export const MAX_STREAMS_PER_LIST = 5000;

/** Longest identifier (`streamId`, `examId`, `seatId`), in characters. */
export const ID_MAX_LENGTH = 128;

/**
 * What an identifier (`streamId`, `examId`, `seatId`) looks like: 1 to 128
 * characters of `A-Z a-z 0-9 . _ : -`. Safe in URLs, file names and logs.
 */
export const ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Longest Sentinel seat token, in characters (visible ASCII, `!`..`~`). */
export const TOKEN_MAX_LENGTH = 1024;

/** Longest `hello.userAgent`, in characters; clients truncate longer ones. */
export const USER_AGENT_MAX_LENGTH = 512;

/** Longest `error.message`, in characters. */
export const ERROR_MESSAGE_MAX_LENGTH = 1024;

/** Largest frame width or height carried in control messages, in pixels (0 means not known yet). */
export const MAX_DIMENSION = 4096;

/** Largest channel number (u32). Channel 0 means "no channel" (Sentinel uploads). */
export const MAX_CHANNEL = 0xffffffff;

/** Largest sequence number: 2^53 - 1, so it is exact in a JavaScript number (the wire field is a u64). */
export const MAX_SEQUENCE = Number.MAX_SAFE_INTEGER;

/**
 * How often the server sends a WebSocket Ping (RFC 6455 §5.5.2), in ms.
 * Browsers answer with a Pong by themselves; clients need no application-level heartbeat.
 */
export const PING_INTERVAL_MS = 10_000;

/** A connection whose Pong (RFC 6455 §5.5.3) has not arrived this long after a Ping is closed, in ms. */
export const PONG_TIMEOUT_MS = 20_000;

/** A Sentinel connection that has not sent a valid `hello` this long after opening is closed, in ms. */
export const HELLO_TIMEOUT_MS = 10_000;

/** How often a Sentinel sends `status`, in ms. */
export const STATUS_INTERVAL_MS = 2_000;

/** Longest `event.detail.reason`, in characters (free text such as why the encoder fell back). */
export const EVENT_REASON_MAX_LENGTH = 200;

/** Longest `event.page` (the id of one Sentinel page load), in characters. */
export const EVENT_PAGE_MAX_LENGTH = 32;

/** Largest screen width or height an `event` may report, in pixels (source screens may exceed {@link MAX_DIMENSION}). */
export const MAX_SCREEN_DIMENSION = 32_768;

/** Largest `event.detail.screens` (number of screens attached). */
export const MAX_SCREENS = 64;

/** Largest `welcome.reconnectSpreadMs`, ms (10 minutes). */
export const RECONNECT_SPREAD_MAX_MS = 600_000;
