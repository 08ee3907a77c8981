import * as z from 'zod';
import {
  ERROR_MESSAGE_MAX_LENGTH,
  EVENT_PAGE_MAX_LENGTH,
  EVENT_REASON_MAX_LENGTH,
  FPS_MAX,
  FPS_MIN,
  ID_PATTERN,
  MAX_CHANNEL,
  MAX_DIMENSION,
  MAX_SCREEN_DIMENSION,
  MAX_SCREENS,
  MAX_SEQUENCE,
  RECONNECT_SPREAD_MAX_MS,
  MAX_SERVER_TEXT_MESSAGE_BYTES,
  MAX_STREAMS_PER_LIST,
  MAX_TEXT_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  TOKEN_MAX_LENGTH,
  USER_AGENT_MAX_LENGTH,
} from './constants';
import { describeValue, ERROR_CODES, ProtocolError } from './errors';
import { utf8ByteLength } from './utf8';

// ---------------------------------------------------------------------------
// Field schemas. Every leaf carries an `error` text that completes the
// sentence "<message>.<field> ..." so parse errors name the field and the rule.
// ---------------------------------------------------------------------------

/** An identifier (`streamId`, `examId`, `seatId`): 1..128 characters of `A-Z a-z 0-9 . _ : -`. */
export const idSchema = z
  .string({ error: 'must be a string of 1 to 128 characters of A-Z a-z 0-9 . _ : -' })
  .regex(ID_PATTERN, { error: 'must be 1 to 128 characters of A-Z a-z 0-9 . _ : -' });

/** A frame rate in frames per second, {@link FPS_MIN} (0.2) to {@link FPS_MAX} (5) inclusive, fractions allowed. */
export const fpsSchema = z.number({ error: `must be between ${FPS_MIN} and ${FPS_MAX} (frames per second)` }).min(FPS_MIN).max(FPS_MAX);

/** A sequence number: integer 1..2^53-1. */
export const sequenceSchema = z.int({ error: 'must be an integer between 1 and 2^53-1 (a sequence number)' }).min(1).max(MAX_SEQUENCE);

/** A Proctor channel: integer 1..2^32-1. */
export const channelSchema = z.int({ error: 'must be an integer between 1 and 4294967295 (a channel)' }).min(1).max(MAX_CHANNEL);

/** Sentinel encoder implementation: WebCodecs `VideoEncoder` or the OpenH264 WebAssembly fallback. */
export const encoderSchema = z.enum(['webcodecs', 'openh264-wasm'], { error: 'must be "webcodecs" or "openh264-wasm"' });

/** One of the protocol's {@link ERROR_CODES}. */
export const errorCodeSchema = z.enum(ERROR_CODES, { error: `must be one of ${ERROR_CODES.map((c) => `"${c}"`).join(', ')}` });

const dimension = (what: string) =>
  z.int({ error: `must be an integer between 0 and ${MAX_DIMENSION} (${what} in pixels, 0 = not known yet)` }).min(0).max(MAX_DIMENSION);

const count = (what: string) =>
  z.int({ error: `must be an integer between 0 and 2^53-1 (${what})` }).min(0).max(MAX_SEQUENCE);

const epochMs = (what: string) =>
  z.number({ error: `must be a number of milliseconds since the Unix epoch, 0 to 8.64e15 (${what})` }).min(0).max(8.64e15);

const boundedString = (min: number, max: number, what: string) =>
  z.string({ error: `must be a string of ${min} to ${max} characters (${what})` }).min(min).max(max);

/** The codec string of an init segment, e.g. `avc1.42C01F` (RFC 6381 `codecs` parameter). */
export const codecSchema = z
  .string({ error: 'must be an RFC 6381 codec string of 1 to 64 characters, e.g. "avc1.42C01F"' })
  .regex(/^[A-Za-z0-9._-]{1,64}$/);

// ---------------------------------------------------------------------------
// Sentinel -> server
// ---------------------------------------------------------------------------

/**
 * `hello`: the first message of every Sentinel connection (also after a
 * reconnect). Authenticates the seat and opens or resumes a stream.
 */
export const helloSchema = z.strictObject({
  type: z.literal('hello'),
  /** Protocol version the Sentinel speaks: {@link PROTOCOL_VERSION}. Another number is refused with `unsupported-version`. */
  protocol: z.literal(PROTOCOL_VERSION, { error: `must be ${PROTOCOL_VERSION}` }),
  /**
   * The seat token from the kiosk URL, 0..1024 visible ASCII characters. Empty means "no
   * token": the server answers `auth-required` (a protocol-level refusal, not `bad-message`).
   */
  token: z
    .string({ error: `must be a string of 0 to ${TOKEN_MAX_LENGTH} visible ASCII characters (the seat token)` })
    .regex(new RegExp(`^[\\x21-\\x7e]{0,${TOKEN_MAX_LENGTH}}$`)),
  /** Exam the seat belongs to. */
  examId: idSchema,
  /** Seat (student place) within the exam. */
  seatId: idSchema,
  /** Stream to resume after a reconnect (from the earlier `welcome.streamId`); absent for a new stream. */
  streamId: idSchema.optional(),
  /**
   * True when this connection only uploads a backlog (capture has stopped: exam over, `stop`,
   * or a page that found an earlier page's unacknowledged messages). Needs `streamId`. The
   * server accepts it for a grace period after the exam's end, when it refuses new capture.
   */
  uploadOnly: z.boolean({ error: 'must be true or false' }).optional(),
  /** Encoder in use. */
  encoder: encoderSchema,
  /** `navigator.userAgent`, cut to 512 characters. */
  userAgent: boundedString(0, USER_AGENT_MAX_LENGTH, 'navigator.userAgent'),
  /** What this Sentinel can do. */
  capabilities: z.strictObject({
    /** Encoders available in this browser, e.g. `["webcodecs", "openh264-wasm"]`; at most 16 names of 1..64 characters. */
    encoders: z
      .array(boundedString(1, 64, 'encoder name'), { error: 'must be a list of at most 16 encoder names' })
      .max(16),
  }),
});

/** `status`: the Sentinel's periodic report (every {@link STATUS_INTERVAL_MS}). */
export const statusSchema = z.strictObject({
  type: z.literal('status'),
  /** Frame rate in effect, frames per second. */
  fps: fpsSchema,
  /** Encoded width in pixels (0 before the first frame). */
  width: dimension('encoded width'),
  /** Encoded height in pixels (0 before the first frame). */
  height: dimension('encoded height'),
  /** Encoder in use. */
  encoder: encoderSchema,
  /** Messages (init segments + fragments) sent or waiting and not yet acknowledged. */
  queueDepth: count('unacknowledged messages'),
  /** Bytes of those messages, headers included. */
  queueBytes: count('unacknowledged bytes'),
  /** Media bytes sent on this stream since it started, headers included, resends counted again. */
  bytesSent: count('bytes sent'),
  /** Keyframes (IDR frames) encoded on this stream since it started. */
  keyframes: count('keyframes encoded'),
});

/** Why a recording has a hole. */
export const gapReasonSchema = z.enum(['network', 'capture-stopped', 'sentinel-restarted', 'storage-failed', 'unknown'], {
  error: 'must be "network", "capture-stopped", "sentinel-restarted", "storage-failed" or "unknown"',
});

/**
 * `gap`: the Sentinel tells the server that no frames exist for a time range (capture was
 * stopped, the page restarted, its backlog storage ran out). The server writes it into the
 * recording's index, so every hole is explicit with its reason. `toMs` >= `fromMs`.
 */
export const gapSchema = z
  .strictObject({
    type: z.literal('gap'),
    /** First moment without frames, ms since the Unix epoch (capture clock). */
    fromMs: epochMs('gap start'),
    /** Last moment without frames, ms since the Unix epoch (capture clock). */
    toMs: epochMs('gap end'),
    /** Why no frames exist for that range. */
    reason: gapReasonSchema,
  })
  .refine((g) => g.toMs >= g.fromMs, { error: 'toMs must not be before fromMs', path: ['toMs'] });

/**
 * What a Sentinel `event` reports (issue 11, event track):
 * - `capture-started` / `capture-ended`: screen sharing began (also again after a stop) / the
 *   browser ended it (the student stopped sharing, the display went away);
 * - `capture-muted` / `capture-unmuted`: the capture track delivers no frames for now (screen
 *   locked, display asleep) / again;
 * - `screen-size-changed`: the captured screen's size changed (`width`, `height`: the new size);
 * - `screens-count`: how many screens are attached, where the browser tells (`screens`; with
 *   only `screen.isExtended` known: `extended`, and `screens` 1 or 2 meaning "two or more");
 * - `online` / `offline`: the browser's network state (`navigator.onLine` events);
 * - `page-hidden` / `page-visible`: the Sentinel page's visibility (another window on top);
 * - `reload`: sent first by a page that was loaded by a reload;
 * - `encoder-fallback`: WebCodecs was not usable and the OpenH264 WebAssembly encoder runs (`encoder`, `reason`);
 * - `screen-blank` / `screen-frozen`: the captured picture is (`state: start`) or is no longer
 *   (`state: end`) blank (one flat colour, e.g. black) / unchanged; `heldMs` how long it had
 *   held when reported, `luma` its mean brightness.
 */
export const SENTINEL_EVENT_KINDS = [
  'capture-started',
  'capture-ended',
  'capture-muted',
  'capture-unmuted',
  'screen-size-changed',
  'screens-count',
  'online',
  'offline',
  'page-hidden',
  'page-visible',
  'reload',
  'encoder-fallback',
  'screen-blank',
  'screen-frozen',
] as const;

/** One of {@link SENTINEL_EVENT_KINDS}. */
export const sentinelEventKindSchema = z.enum(SENTINEL_EVENT_KINDS, {
  error: `must be one of ${SENTINEL_EVENT_KINDS.map((k) => `"${k}"`).join(', ')}`,
});

const screenDimension = (what: string) =>
  z.int({ error: `must be an integer between 1 and ${MAX_SCREEN_DIMENSION} (${what} in pixels)` }).min(1).max(MAX_SCREEN_DIMENSION);

/** What an `event` carries besides its kind and time: every field optional, each bounded; which are required depends on the kind. */
export const sentinelEventDetailSchema = z.strictObject({
  /** Screen width in pixels (`screen-size-changed`, `capture-started`). */
  width: screenDimension('screen width').optional(),
  /** Screen height in pixels (`screen-size-changed`, `capture-started`). */
  height: screenDimension('screen height').optional(),
  /** Screens attached (`screens-count`): 1..64. */
  screens: z.int({ error: `must be an integer between 1 and ${MAX_SCREENS} (screens attached)` }).min(1).max(MAX_SCREENS).optional(),
  /** `screen.isExtended`: more than one screen (`screens-count`). */
  extended: z.boolean({ error: 'must be true or false' }).optional(),
  /** `start` or `end` of a condition (`screen-blank`, `screen-frozen`). */
  state: z.enum(['start', 'end'], { error: 'must be "start" or "end"' }).optional(),
  /** How long the condition had held when it was reported, ms, 0..86400000 (`screen-blank`, `screen-frozen`). */
  heldMs: z.int({ error: 'must be an integer between 0 and 86400000 (milliseconds)' }).min(0).max(86_400_000).optional(),
  /** Mean brightness of the picture, 0..255 (`screen-blank`). */
  luma: z.number({ error: 'must be a number between 0 and 255 (mean luma)' }).min(0).max(255).optional(),
  /** Encoder now in use (`encoder-fallback`). */
  encoder: encoderSchema.optional(),
  /** Free text, 0..200 characters: why (`encoder-fallback`, `capture-ended`). */
  reason: boundedString(0, EVENT_REASON_MAX_LENGTH, 'why').optional(),
});

/** Detail fields each kind must carry. */
const REQUIRED_EVENT_DETAIL: Partial<Record<(typeof SENTINEL_EVENT_KINDS)[number], readonly (keyof z.infer<typeof sentinelEventDetailSchema>)[]>> = {
  'screen-size-changed': ['width', 'height'],
  'screens-count': ['screens'],
  'encoder-fallback': ['encoder'],
  'screen-blank': ['state'],
  'screen-frozen': ['state'],
};

/**
 * `event`: something happened at the Sentinel (see {@link SENTINEL_EVENT_KINDS}). The server
 * appends it to the stream's event track (`events.jsonl`, source `sentinel`), may raise or
 * clear an alert, and answers `event-ack` with `seq`. Events are queued like media: those not
 * acknowledged are sent again after a reconnect, and the server drops a repeated `page`/`seq`.
 * The server accepts a limited number per minute (`VIGIL_SENTINEL_EVENTS_PER_MINUTE`); more are
 * acknowledged and dropped.
 */
export const eventSchema = z
  .strictObject({
    type: z.literal('event'),
    /** The page load that sent it: 1..32 characters of `A-Z a-z 0-9 _ -`, random per page. */
    page: z
      .string({ error: `must be a string of 1 to ${EVENT_PAGE_MAX_LENGTH} characters of A-Z a-z 0-9 _ - (the page id)` })
      .regex(new RegExp(`^[A-Za-z0-9_-]{1,${EVENT_PAGE_MAX_LENGTH}}$`)),
    /** Number of the event within its page, from 1, increasing by 1. */
    seq: sequenceSchema,
    /** What happened. */
    kind: sentinelEventKindSchema,
    /** When it happened, ms since the Unix epoch (capture clock, the clock of the fragments' `prft`). */
    atMs: epochMs('event time'),
    /** Bounded details; which fields are required depends on `kind`. */
    detail: sentinelEventDetailSchema.optional(),
  })
  .superRefine((e, ctx) => {
    for (const field of REQUIRED_EVENT_DETAIL[e.kind] ?? []) {
      if (e.detail?.[field] === undefined) {
        ctx.addIssue({ code: 'custom', path: ['detail', field], message: `comes with every "${e.kind}" event` });
      }
    }
  });

// ---------------------------------------------------------------------------
// Server -> Sentinel
// ---------------------------------------------------------------------------

/** `welcome`: the server's answer to a valid `hello`. Media may be sent after it. */
export const welcomeSchema = z.strictObject({
  type: z.literal('welcome'),
  /** Protocol version of the server: {@link PROTOCOL_VERSION}. */
  protocol: z.literal(PROTOCOL_VERSION, { error: `must be ${PROTOCOL_VERSION}` }),
  /** The stream this connection uploads to: the resumed one, or a new id (then start again at sequence 1 with an init segment). */
  streamId: idSchema,
  /** Highest sequence number durably written for this stream; 0 = none. Resend everything after it. */
  lastAckedSequence: z.int({ error: 'must be an integer between 0 and 2^53-1 (0 = nothing acknowledged)' }).min(0).max(MAX_SEQUENCE),
  /** Frame rate to capture at, frames per second. */
  fps: fpsSchema,
  /**
   * After losing this connection, spread reconnect attempts uniformly over this many ms (at
   * least the backoff delay): the window grows with the number of Sentinels the server holds,
   * so a whole school does not reconnect in the same second after an outage. 0..600000; absent = 0.
   */
  reconnectSpreadMs: z.int({ error: 'must be an integer between 0 and 600000 (milliseconds)' }).min(0).max(RECONNECT_SPREAD_MAX_MS).optional(),
});

/** `ack`: cumulative acknowledgement; every sequence number <= `sequence` is durably written. */
export const ackSchema = z.strictObject({
  type: z.literal('ack'),
  /** Highest sequence number durably written (cumulative). */
  sequence: sequenceSchema,
});

/** `event-ack`: every `event` of this connection's page with `seq` <= this number was handled (stored, or dropped by the rate limit). */
export const eventAckSchema = z.strictObject({
  type: z.literal('event-ack'),
  /** Highest `event.seq` handled (cumulative). */
  seq: sequenceSchema,
});

/** Why the server asks for a keyframe. */
export const keyframeReasonSchema = z.enum(['viewer-join', 'admin', 'recovery'], {
  error: 'must be "viewer-join", "admin" or "recovery"',
});

/** `keyframe`: encode the next frame as an IDR frame and send it as a JOIN fragment. */
export const keyframeSchema = z.strictObject({
  type: z.literal('keyframe'),
  /** Why: a viewer joined with no join fragment buffered, an admin asked, or the server lost its place. */
  reason: keyframeReasonSchema,
});

/** Why the server changes the frame rate. */
export const setFpsReasonSchema = z.enum(['admin', 'load', 'demand'], { error: 'must be "admin", "load" or "demand"' });

/** `set-fps`: capture at this frame rate from now on (starts a new segment: keyframe). */
export const setFpsSchema = z.strictObject({
  type: z.literal('set-fps'),
  /** New frame rate, frames per second, 0.2..5. */
  fps: fpsSchema,
  /** An admin asked, the server is shedding load, or who watches changed (`demand`: a focused view came or left). */
  reason: setFpsReasonSchema,
});

/** Why the server ends a Sentinel's stream for good. */
export const stopReasonSchema = z.enum(['admin', 'exam-over', 'seat-revoked', 'seat-deleted', 'exam-deleted'], {
  error: 'must be "admin", "exam-over", "seat-revoked", "seat-deleted" or "exam-deleted"',
});

/**
 * `stop`: the server has ended this stream for good. The Sentinel stops capturing and
 * encoding, releases the screen, shows `message`, and does not reconnect; the server
 * closes the connection next (1000). Unlike a fatal `error`, nothing went wrong.
 */
export const stopSchema = z.strictObject({
  type: z.literal('stop'),
  /** An admin ended the stream, the exam window closed, or the seat or exam was revoked or deleted. */
  reason: stopReasonSchema,
  /** Human-readable, for the student's screen: what happened and whom to ask. */
  message: boundedString(1, ERROR_MESSAGE_MAX_LENGTH, 'human-readable explanation'),
});

/** `error`: something went wrong; if `fatal`, the server closes the connection next. Both server directions. */
export const errorSchema = z.strictObject({
  type: z.literal('error'),
  /** Machine-readable reason. */
  code: errorCodeSchema,
  /** Human-readable: what is wrong and what to do. */
  message: boundedString(1, ERROR_MESSAGE_MAX_LENGTH, 'human-readable explanation'),
  /** True when the connection is about to be closed. */
  fatal: z.boolean({ error: 'must be true or false' }),
});

// ---------------------------------------------------------------------------
// Proctor -> server
// ---------------------------------------------------------------------------

/** `subscribe`: start receiving a stream. Answered by `subscribed` (or a non-fatal `error`). */
export const subscribeSchema = z.strictObject({
  type: z.literal('subscribe'),
  /** The stream to watch, from the `streams` list. */
  streamId: idSchema,
  /**
   * How the stream is shown: `focus` (a large view: the server raises the stream to the focus
   * frame rate while any focused view watches) or `tile` (one of many on a wall: the exam's base
   * rate is enough). Absent: `focus`.
   */
  view: z.enum(['focus', 'tile'], { error: 'must be "focus" or "tile"' }).optional(),
});

/** `unsubscribe`: stop receiving a channel. Answered by `unsubscribed` with reason `requested`. */
export const unsubscribeSchema = z.strictObject({
  type: z.literal('unsubscribe'),
  /** The channel from `subscribed.channel`. */
  channel: channelSchema,
});

// ---------------------------------------------------------------------------
// Server -> Proctor
// ---------------------------------------------------------------------------

/** State of a stream: `live` (Sentinel connected), `disconnected` (may resume), `ended`. */
export const streamStateSchema = z.enum(['live', 'disconnected', 'ended'], {
  error: 'must be "live", "disconnected" or "ended"',
});

/** What a Proctor (and `GET /api/streams`) sees of one stream. */
export const streamSummarySchema = z.strictObject({
  streamId: idSchema,
  examId: idSchema,
  seatId: idSchema,
  state: streamStateSchema,
  /** Encoder named in the Sentinel's `hello` (e.g. `webcodecs`). */
  encoder: boundedString(1, 64, 'encoder name'),
  /** Codec string of the current init segment (e.g. `avc1.42C01F`); null before the first init segment. */
  codec: codecSchema.nullable(),
  /** Current width in pixels, 0 before the first init segment. */
  width: dimension('width'),
  /** Current height in pixels, 0 before the first init segment. */
  height: dimension('height'),
  /** Current frame rate, frames per second. */
  fps: fpsSchema,
  /** When the stream started, ms since the Unix epoch. */
  startedAtMs: epochMs('stream start'),
  /** When the last fragment arrived, ms since the Unix epoch; null before the first. */
  lastFragmentAtMs: epochMs('last fragment').nullable(),
  /** Media bytes received on this stream (payloads, duplicates not counted). */
  bytesReceived: count('bytes received'),
  /** Recent media bitrate in bits per second. */
  bitrateBps: z.number({ error: 'must be a number >= 0 (bits per second)' }).min(0),
  /** Proctors currently subscribed. */
  viewers: count('viewers'),
  /**
   * Whether the recording keeps up: `ok`, or `storage-failed` while writes fail (the stream is
   * still relayed live, nothing is acknowledged, the server retries and the Sentinel keeps its
   * backlog). Absent from older servers: treat as `ok`.
   */
  storage: z.enum(['ok', 'storage-failed'], { error: 'must be "ok" or "storage-failed"' }).optional(),
});

/** `streams`: every stream this Proctor may watch. Sent on connect and on every change (full list, not a diff). */
export const streamsSchema = z.strictObject({
  type: z.literal('streams'),
  streams: z
    .array(streamSummarySchema, { error: `must be a list of at most ${MAX_STREAMS_PER_LIST} stream summaries` })
    .max(MAX_STREAMS_PER_LIST),
});

/**
 * `subscribed`: the subscription is open; binary messages with this `channel`
 * follow: the init segment, then fragments from the latest join fragment.
 */
export const subscribedSchema = z.strictObject({
  type: z.literal('subscribed'),
  streamId: idSchema,
  /** Channel number of this stream on this connection (bytes 4-7 of its media messages), >= 1. */
  channel: channelSchema,
  /** Codec string for `MediaSource.addSourceBuffer('video/mp4; codecs="…"')`; null when no init segment exists yet. */
  codec: codecSchema.nullable(),
  /** Width in pixels, 0 when not known yet. */
  width: dimension('width'),
  /** Height in pixels, 0 when not known yet. */
  height: dimension('height'),
});

/** Why a subscription ended. */
export const unsubscribeReasonSchema = z.enum(['requested', 'stream-ended', 'too-slow', 'error'], {
  error: 'must be "requested", "stream-ended", "too-slow" or "error"',
});

/** `unsubscribed`: no more media on this channel. */
export const unsubscribedSchema = z.strictObject({
  type: z.literal('unsubscribed'),
  channel: channelSchema,
  /** The Proctor asked, the stream ended, the viewer could not keep up, or a server error. */
  reason: unsubscribeReasonSchema,
});

// ---------------------------------------------------------------------------
// Unions and types
// ---------------------------------------------------------------------------

/** Every message a Sentinel sends. */
export const sentinelMessageSchema = z.discriminatedUnion('type', [helloSchema, statusSchema, gapSchema, eventSchema]);
/** Every message the server sends a Sentinel. */
export const serverToSentinelSchema = z.discriminatedUnion('type', [
  welcomeSchema,
  ackSchema,
  eventAckSchema,
  keyframeSchema,
  setFpsSchema,
  stopSchema,
  errorSchema,
]);
/** Every message a Proctor sends. */
export const proctorMessageSchema = z.discriminatedUnion('type', [subscribeSchema, unsubscribeSchema]);
/** Every message the server sends a Proctor. */
export const serverToProctorSchema = z.discriminatedUnion('type', [
  streamsSchema,
  subscribedSchema,
  unsubscribedSchema,
  errorSchema,
]);

/** `"webcodecs"` | `"openh264-wasm"`. */
export type EncoderName = z.infer<typeof encoderSchema>;
/** Why a keyframe is requested: `"viewer-join"` | `"admin"` | `"recovery"`. */
export type KeyframeReason = z.infer<typeof keyframeReasonSchema>;
/** Why the frame rate changes: `"admin"` | `"load"` | `"demand"`. */
export type SetFpsReason = z.infer<typeof setFpsReasonSchema>;
/** Why the server stopped a stream: `"admin"` | `"exam-over"` | `"seat-revoked"` | `"seat-deleted"` | `"exam-deleted"`. */
export type StopReason = z.infer<typeof stopReasonSchema>;
/** Why a recording has a hole; see {@link gapReasonSchema}. */
export type GapReason = z.infer<typeof gapReasonSchema>;
/** `"live"` | `"disconnected"` | `"ended"`. */
export type StreamState = z.infer<typeof streamStateSchema>;
/** Why a subscription ended: `"requested"` | `"stream-ended"` | `"too-slow"` | `"error"`. */
export type UnsubscribeReason = z.infer<typeof unsubscribeReasonSchema>;

/** One of {@link SENTINEL_EVENT_KINDS}. */
export type SentinelEventKind = z.infer<typeof sentinelEventKindSchema>;
/** Details of a Sentinel `event`; see {@link sentinelEventDetailSchema}. */
export type SentinelEventDetail = z.infer<typeof sentinelEventDetailSchema>;
/** Sentinel -> server `event`; see {@link eventSchema}. */
export type EventMessage = z.infer<typeof eventSchema>;
/** Server -> Sentinel `event-ack`; see {@link eventAckSchema}. */
export type EventAckMessage = z.infer<typeof eventAckSchema>;
/** Sentinel -> server `hello`; see {@link helloSchema}. */
export type HelloMessage = z.infer<typeof helloSchema>;
/** Sentinel -> server `gap`; see {@link gapSchema}. */
export type GapMessage = z.infer<typeof gapSchema>;
/** Sentinel -> server `status`; see {@link statusSchema}. */
export type StatusMessage = z.infer<typeof statusSchema>;
/** Server -> Sentinel `welcome`; see {@link welcomeSchema}. */
export type WelcomeMessage = z.infer<typeof welcomeSchema>;
/** Server -> Sentinel `ack`; see {@link ackSchema}. */
export type AckMessage = z.infer<typeof ackSchema>;
/** Server -> Sentinel `keyframe`; see {@link keyframeSchema}. */
export type KeyframeMessage = z.infer<typeof keyframeSchema>;
/** Server -> Sentinel `set-fps`; see {@link setFpsSchema}. */
export type SetFpsMessage = z.infer<typeof setFpsSchema>;
/** Server -> Sentinel `stop`; see {@link stopSchema}. */
export type StopMessage = z.infer<typeof stopSchema>;
/** Server -> Sentinel or Proctor `error`; see {@link errorSchema}. */
export type ErrorMessage = z.infer<typeof errorSchema>;
/** Proctor -> server `subscribe`; see {@link subscribeSchema}. */
export type SubscribeMessage = z.infer<typeof subscribeSchema>;
/** Proctor -> server `unsubscribe`; see {@link unsubscribeSchema}. */
export type UnsubscribeMessage = z.infer<typeof unsubscribeSchema>;
/** One stream as Proctors see it; see {@link streamSummarySchema}. */
export type StreamSummary = z.infer<typeof streamSummarySchema>;
/** Server -> Proctor `streams`; see {@link streamsSchema}. */
export type StreamsMessage = z.infer<typeof streamsSchema>;
/** Server -> Proctor `subscribed`; see {@link subscribedSchema}. */
export type SubscribedMessage = z.infer<typeof subscribedSchema>;
/** Server -> Proctor `unsubscribed`; see {@link unsubscribedSchema}. */
export type UnsubscribedMessage = z.infer<typeof unsubscribedSchema>;

/** Sentinel -> server: `hello` | `status` | `gap` | `event`. */
export type SentinelMessage = z.infer<typeof sentinelMessageSchema>;
/** Server -> Sentinel: `welcome` | `ack` | `event-ack` | `keyframe` | `set-fps` | `stop` | `error`. */
export type ServerToSentinelMessage = z.infer<typeof serverToSentinelSchema>;
/** Proctor -> server: `subscribe` | `unsubscribe`. */
export type ProctorMessage = z.infer<typeof proctorMessageSchema>;
/** Server -> Proctor: `streams` | `subscribed` | `unsubscribed` | `error`. */
export type ServerToProctorMessage = z.infer<typeof serverToProctorSchema>;
/** Any control message, either direction. */
export type ControlMessage = SentinelMessage | ServerToSentinelMessage | ProctorMessage | ServerToProctorMessage;
/** The `type` of any control message. */
export type ControlMessageType = ControlMessage['type'];

// ---------------------------------------------------------------------------
// Parsing
// ---------------------------------------------------------------------------

type ObjectSchema = z.ZodObject;

interface Direction {
  name: string;
  maxBytes: number;
  schemas: Readonly<Record<string, ObjectSchema>>;
}

const SENTINEL: Direction = {
  name: 'Sentinel -> server',
  maxBytes: MAX_TEXT_MESSAGE_BYTES,
  schemas: { hello: helloSchema, status: statusSchema, gap: gapSchema, event: eventSchema },
};
const SERVER_TO_SENTINEL: Direction = {
  name: 'server -> Sentinel',
  maxBytes: MAX_SERVER_TEXT_MESSAGE_BYTES,
  schemas: { welcome: welcomeSchema, ack: ackSchema, 'event-ack': eventAckSchema, keyframe: keyframeSchema, 'set-fps': setFpsSchema, stop: stopSchema, error: errorSchema },
};
const PROCTOR: Direction = {
  name: 'Proctor -> server',
  maxBytes: MAX_TEXT_MESSAGE_BYTES,
  schemas: { subscribe: subscribeSchema, unsubscribe: unsubscribeSchema },
};
const SERVER_TO_PROCTOR: Direction = {
  name: 'server -> Proctor',
  maxBytes: MAX_SERVER_TEXT_MESSAGE_BYTES,
  schemas: { streams: streamsSchema, subscribed: subscribedSchema, unsubscribed: unsubscribedSchema, error: errorSchema },
};

/** Types only clients send; everything else is sent by the server. */
const CLIENT_TYPES: ReadonlySet<string> = new Set([...Object.keys(SENTINEL.schemas), ...Object.keys(PROCTOR.schemas)]);

const ALL_SCHEMAS: Readonly<Record<string, ObjectSchema>> = {
  ...SENTINEL.schemas,
  ...SERVER_TO_SENTINEL.schemas,
  ...PROCTOR.schemas,
  ...SERVER_TO_PROCTOR.schemas,
};

/** Message types that carry a `protocol` version field. */
const VERSIONED_TYPES: ReadonlySet<string> = new Set(['hello', 'welcome']);

/**
 * Parse and validate a JSON text message a Sentinel sent (`hello`, `status`).
 * Rejects text over {@link MAX_TEXT_MESSAGE_BYTES} UTF-8 bytes, non-JSON,
 * non-objects, unknown types, missing, extra and wrong-typed fields.
 *
 * @throws ProtocolError `bad-message` naming the field and rule
 *   (e.g. "status.fps must be between 0.2 and 5 (frames per second), got 9"),
 *   or `unsupported-version` for `hello.protocol` other than 1.
 */
export function parseSentinelMessage(text: string): SentinelMessage {
  return parseIn(SENTINEL, text) as SentinelMessage;
}

/**
 * Parse and validate a JSON text message from the server to a Sentinel
 * (`welcome`, `ack`, `keyframe`, `set-fps`, `error`); limit
 * {@link MAX_SERVER_TEXT_MESSAGE_BYTES}.
 *
 * @throws ProtocolError as {@link parseSentinelMessage}.
 */
export function parseServerToSentinel(text: string): ServerToSentinelMessage {
  return parseIn(SERVER_TO_SENTINEL, text) as ServerToSentinelMessage;
}

/**
 * Parse and validate a JSON text message a Proctor sent (`subscribe`,
 * `unsubscribe`); limit {@link MAX_TEXT_MESSAGE_BYTES}.
 *
 * @throws ProtocolError as {@link parseSentinelMessage}.
 */
export function parseProctorMessage(text: string): ProctorMessage {
  return parseIn(PROCTOR, text) as ProctorMessage;
}

/**
 * Parse and validate a JSON text message from the server to a Proctor
 * (`streams`, `subscribed`, `unsubscribed`, `error`); limit
 * {@link MAX_SERVER_TEXT_MESSAGE_BYTES}.
 *
 * @throws ProtocolError as {@link parseSentinelMessage}.
 */
export function parseServerToProctor(text: string): ServerToProctorMessage {
  return parseIn(SERVER_TO_PROCTOR, text) as ServerToProctorMessage;
}

/**
 * Serialise a control message to the JSON text of one WebSocket text message
 * (opcode 0x1, RFC 6455 §5.6), after validating it against its schema, so
 * every app builds messages the same way and never sends one the peer would
 * refuse. Optional fields that are `undefined` are left out.
 *
 * @throws TypeError naming the invalid field (a bug in the caller, not bad input).
 * @throws RangeError when the text exceeds the limit of its direction
 *   ({@link MAX_TEXT_MESSAGE_BYTES} for client messages,
 *   {@link MAX_SERVER_TEXT_MESSAGE_BYTES} for server messages).
 */
export function encodeControl(message: ControlMessage): string {
  const type: unknown = (message as { type?: unknown }).type;
  const schema = typeof type === 'string' && Object.hasOwn(ALL_SCHEMAS, type) ? ALL_SCHEMAS[type] : undefined;
  if (schema === undefined) {
    throw new TypeError(
      `encodeControl: message.type must be one of ${Object.keys(ALL_SCHEMAS).map((t) => `"${t}"`).join(', ')}, ` +
        `got ${describeValue(type)}`,
    );
  }
  const result = schema.safeParse(message);
  if (!result.success) {
    throw new TypeError(`encodeControl: ${formatIssues(type as string, message, result.error.issues)}`);
  }
  const json = JSON.stringify(result.data);
  const max = CLIENT_TYPES.has(type as string) ? MAX_TEXT_MESSAGE_BYTES : MAX_SERVER_TEXT_MESSAGE_BYTES;
  const bytes = utf8ByteLength(json);
  if (bytes > max) {
    throw new RangeError(`encodeControl: "${type as string}" message is ${bytes} bytes, over the limit of ${max} bytes`);
  }
  return json;
}

/**
 * The `ack` message for `sequence`, as {@link encodeControl}`({ type: 'ack', sequence })` would
 * encode it, byte for byte, without building and validating an object: the server sends one for
 * every media message it stores (issue 10: V8's sampling heap profiler at 1,000 Sentinels put
 * the ack's encoding at about 600 bytes of the server's 17.8 kB allocated per fragment, 3 %).
 * @param sequence highest sequence number durably written, an integer 1..2^53-1
 * @throws TypeError naming the value when `sequence` is not such an integer
 */
export function encodeAck(sequence: number): string {
  if (!Number.isSafeInteger(sequence) || sequence < 1) {
    throw new TypeError(`encodeAck: sequence must be an integer between 1 and 2^53-1 (a sequence number), got ${describeValue(sequence)}`);
  }
  return `{"type":"ack","sequence":${sequence}}`;
}

/** An `error` control message; `fatal` defaults to {@link ERROR_FATAL_DEFAULTS}[code]. */
export function errorMessage(code: ErrorMessage['code'], message: string, fatal?: boolean): ErrorMessage {
  return new ProtocolError(code, message, fatal === undefined ? {} : { fatal }).toControl();
}

function parseIn(direction: Direction, text: string): ControlMessage {
  if (typeof text !== 'string') {
    throw ProtocolError.wrongFrameType('binary', `${direction.name} control messages are JSON in WebSocket text messages`);
  }
  // Each UTF-16 unit is 1..3 UTF-8 bytes: skip the exact count when the answer is clear.
  if (text.length > direction.maxBytes || (text.length * 3 > direction.maxBytes && utf8ByteLength(text) > direction.maxBytes)) {
    throw ProtocolError.tooLarge(utf8ByteLength(text), direction.maxBytes, 'control message');
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw ProtocolError.notJson(err instanceof Error ? err.message : String(err));
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw ProtocolError.badMessage(
      `control message must be a JSON object with a "type" field, got ${describeValue(value)}`,
    );
  }
  const record = value as Record<string, unknown>;
  const type = record['type'];
  if (typeof type !== 'string') {
    throw ProtocolError.badMessage(
      `control message must have a string "type" field, got ${describeValue(type)}; ` +
        `${direction.name} types: ${Object.keys(direction.schemas).map((t) => `"${t}"`).join(', ')}`,
    );
  }
  const schema = Object.hasOwn(direction.schemas, type) ? direction.schemas[type] : undefined;
  if (schema === undefined) throw ProtocolError.unknownType(type, direction.name, Object.keys(direction.schemas));
  if (VERSIONED_TYPES.has(type)) {
    const protocol = record['protocol'];
    if (typeof protocol === 'number' && protocol !== PROTOCOL_VERSION) {
      throw ProtocolError.unsupportedVersion(protocol, `${type}.protocol`);
    }
  }
  const result = schema.safeParse(value);
  if (!result.success) throw ProtocolError.badMessage(formatIssues(type, value, result.error.issues));
  return result.data as ControlMessage;
}

/**
 * One sentence per problem, naming the field as `<type>.<path>`:
 * "set-fps.fps must be between 0.2 and 5 (frames per second), got 9".
 * Only the first problem is spelled out; the rest are counted and their fields named.
 */
function formatIssues(type: string, input: unknown, issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  if (first === undefined) return `${type} is invalid`;
  const rest = issues.slice(1);
  if (rest.length === 0) return formatIssue(type, input, first);
  const fields = [...new Set(rest.map((issue) => fieldName(type, issue.path)))];
  const shown = fields.slice(0, 5).join(', ') + (fields.length > 5 ? ', …' : '');
  return `${formatIssue(type, input, first)} (and ${rest.length} more problem${rest.length > 1 ? 's' : ''}: ${shown})`;
}

function formatIssue(type: string, input: unknown, issue: z.core.$ZodIssue): string {
  const where = fieldName(type, issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => JSON.stringify(k)).join(', ');
    return `${where} has unknown field${issue.keys.length > 1 ? 's' : ''} ${keys}: remove ${issue.keys.length > 1 ? 'them' : 'it'} (unknown fields are refused)`;
  }
  const value = valueAt(input, issue.path);
  let rule = issue.message;
  if (issue.code === 'invalid_type' && (issue.expected === 'object' || issue.expected === 'array')) {
    rule = `must be ${issue.expected === 'object' ? 'an object' : 'an array'}`;
  } else if (issue.code === 'invalid_value' && issue.path.length === 1 && issue.path[0] === 'type') {
    rule = `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
  }
  if (value === undefined) return `${where} is required and ${rule}`;
  return `${where} ${rule}, got ${describeValue(value)}`;
}

function fieldName(type: string, path: readonly PropertyKey[]): string {
  let out = type;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : `.${String(key)}`;
  return out;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
