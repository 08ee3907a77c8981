/**
 * Resources of the control API (REST), as docs/control-api.md defines them: the one
 * definition the server answers with and the portal reads. Times are Unix epoch
 * milliseconds in fields named `…AtMs` / `…Ms`.
 */
import type { GapReason } from '@vigil/protocol';

/** A portal or script user. `examIds`: the exams a proctor is assigned to. */
export interface User {
  id: string;
  email: string;
  role: 'admin' | 'proctor';
  displayName: string;
  disabled: boolean;
  mustChangePassword: boolean;
  createdAtMs: number;
  examIds: string[];
}

/** An exam: its schedule window, the frame rate new streams start at and how long recordings are kept. */
export interface Exam {
  id: string;
  name: string;
  startsAtMs: number;
  endsAtMs: number;
  /** 0.2..5 */
  defaultFps: number;
  /** 1..3650 */
  retentionDays: number;
  createdAtMs: number;
  updatedAtMs: number;
}

/** Live status of a seat, computed by the server. */
export type SeatStatus = 'streaming' | 'offline' | 'never-connected';

/** A student's place in an exam, with its live status. */
export interface Seat {
  id: string;
  examId: string;
  studentId: string;
  displayName: string;
  createdAtMs: number;
  updatedAtMs: number;
  /** `streaming` = a live stream with a connected Sentinel. */
  status: SeatStatus;
  /** Last fragment or connection of any of its streams. */
  lastSeenAtMs: number | null;
  /** The seat's stream in the relay now (live or disconnected). */
  liveStreamId: string | null;
}

/** Answer of `POST /api/exams/:examId/seats`. */
export interface CreatedSeat extends Seat {
  kioskUrl: string;
  token: string;
}

/** The URL a kiosk opens for one seat. */
export interface KioskUrl {
  seatId: string;
  examId: string;
  kioskUrl: string;
  token: string;
  expiresAtMs: number;
}

/** Answer of the CSV seat import: counts over all rows (the import is all or nothing). */
export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  total: number;
}

/** An admin API key (never the key itself). */
export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  createdAtMs: number;
  /** The creator's e-mail. */
  createdBy: string;
  lastUsedAtMs: number | null;
  revokedAtMs: number | null;
}

/** One control action in the audit log. */
export interface AuditEntry {
  id: number;
  atMs: number;
  actorId: string | null;
  /** E-mail, `api-key vgk_abcd1234 (e-mail)` or `system`. */
  actor: string;
  action: string;
  targetType: string | null;
  targetId: string | null;
  details: Record<string, unknown>;
  ip: string | null;
}

/** Answer of `POST /api/auth/login`. */
export interface LoginResult {
  user: User;
  mustChangePassword: boolean;
  expiresAtMs: number;
}

/** Answer of `GET /api/auth/me`. */
export interface MeResult {
  user: User;
  via: 'session' | 'api-key';
  mustChangePassword: boolean;
}

/** Answer of `POST /api/users`: the one-time password is shown once. */
export interface CreatedUser {
  user: User;
  oneTimePassword: string;
}

/** Answer of `POST /api/api-keys`: the key is shown once. */
export interface CreatedApiKey {
  apiKey: ApiKey;
  key: string;
}

/** A stream's database record (`GET /api/exams/:examId/streams`, `GET /api/streams/:streamId/history`). */
export interface StreamRecordView {
  streamId: string;
  examId: string;
  seatId: string;
  state: 'live' | 'disconnected' | 'ended';
  encoder: string;
  userAgent: string;
  startedAtMs: number;
  endedAtMs: number | null;
  lastSeenAtMs: number;
  codec: string | null;
  width: number;
  height: number;
  fps: number;
  /** State, resolution and fps changes (`GET /api/streams/:streamId/history` only). */
  history?: ({ atMs: number; kind: 'state' | 'resolution' | 'fps' } & Record<string, unknown>)[];
}

/**
 * One segment of a recording on the wall clock: a join fragment and the fragments that
 * follow it up to the next join fragment, stored as one file.
 */
export interface TimelineSegment {
  /** The stored file (`GET /api/recordings/:streamId/files/:file`). */
  file: string;
  /** Sequence number of its first fragment. */
  sequence: number;
  /** The init segment file it decodes with. */
  init: string;
  /** True when it starts with an IDR picture (a player can start here). */
  join: boolean;
  /** `tfdt` of its first fragment, 90 kHz ticks. */
  decodeTime: number;
  /** Capture time (`prft`) of its first fragment, ms since the Unix epoch. */
  startMs: number;
  /**
   * Where it ends, ms since the Unix epoch: its start plus the media time to the next
   * segment's `tfdt` (same init segment), at most the next segment's start; where a gap
   * starts; null for the newest segment (the recording may still grow).
   */
  endMs: number | null;
}

/** An init segment change (resolution or SPS/PPS) at a moment of the recording. */
export interface TimelineInit {
  file: string;
  sequence: number;
  width: number;
  height: number;
  /** RFC 6381 codec string, e.g. `avc1.42C028`. */
  codec: string;
  /** When the server received it, ms since the Unix epoch. */
  atMs: number;
}

/** A hole in the recording with its reason. */
export interface TimelineGap {
  fromMs: number;
  toMs: number;
  reason: GapReason;
  /** Who knows of it: the Sentinel said so (`gap` message), or the server saw the capture clock jump. */
  source: 'sentinel' | 'server';
  /** The last sequence number before the hole. */
  afterSequence: number;
}

/** A recording between two moments: segments, init segments and gaps overlapping `[fromMs, toMs]`. */
export interface TimelineRange {
  fromMs: number;
  toMs: number;
  /** Segments overlapping the range, in order. */
  segments: TimelineSegment[];
  /** Every init segment the listed segments decode with, plus init changes inside the range. */
  inits: TimelineInit[];
  /** Gaps overlapping the range. */
  gaps: TimelineGap[];
}

/** `GET /api/recordings/:streamId/index?from=&to=`: the recording between two moments. */
export interface RecordingRangeView extends TimelineRange {
  streamId: string;
  /** True while the stream is live (the recording still grows: ask again for more). */
  live: boolean;
  /** First and last recorded moment of the whole recording, ms since the Unix epoch (last null while it grows). */
  extent: { fromMs: number; toMs: number | null } | null;
}

/** A share link as `POST /api/recordings/:streamId/share` answers it. */
export interface ShareLinkView {
  /** Opens in any browser: one MP4 of the range (`<video>` plays it inline). */
  url: string;
  /** The same range as an HLS playlist (hls.js, ffmpeg, VLC). */
  playlistUrl: string;
  fromMs: number;
  toMs: number;
  expiresAtMs: number;
}

/** What was deleted, by whom, when and why: kept in the audit log, answered with 410 Gone afterwards. */
export interface DeletionRecord {
  streamId: string;
  examId: string;
  seatId: string;
  /** Who: the admin's e-mail, or `system` (retention). */
  by: string;
  /** When, ms since the Unix epoch. */
  atMs: number;
  /** Why, as given (`retention: …` for automatic deletes). */
  reason: string;
  /** Files removed, their total bytes, and a SHA-256 (hex) over their bytes in name order. */
  files: number;
  bytes: number;
  sha256: string;
}

/**
 * min / average / max of a measured quantity over a recent window (`GET …/stats`); the
 * figures are null while nothing was measured in the window (`count` 0).
 */
export interface WindowFigures {
  /** Measurements in the window. */
  count: number;
  min: number | null;
  avg: number | null;
  max: number | null;
}

/** One proctor's subscription to a stream, as the server measures it (server side only). */
export interface ViewerStatsView {
  /** The watching user (for an admin API key: the admin who created it). */
  userId: string | null;
  email: string | null;
  via: 'session' | 'api-key' | null;
  /** `awaiting-join` (waiting for a keyframe), `live`, or `skipping` (fell behind: dropping to the next join fragment). */
  state: 'awaiting-join' | 'live' | 'skipping';
  subscribedAtMs: number;
  /**
   * Capture (`prft`) → handed to the viewer's socket, ms, over the last minute, live fragments only
   * (not the segment replayed at join). Measured on the server: the network to the proctor and
   * the player's buffer come on top; includes the kiosk clock's offset from the server's.
   */
  deliveryLatencyMs: WindowFigures;
  /** Segments the slow-viewer policy skipped (fell behind: resumed at a later join fragment). */
  skippedSegments: number;
  skippedFragments: number;
  /** Bytes waiting unsent in the viewer's socket now. */
  bufferedBytes: number;
}

/** `GET /api/streams/:streamId/stats`: live figures of one stream the relay holds. */
export interface StreamStatsView {
  streamId: string;
  examId: string;
  seatId: string;
  state: 'live' | 'disconnected' | 'ended';
  /** When the figures were taken, ms since the Unix epoch. */
  atMs: number;
  sentinelConnected: boolean;
  /** Ingest bitrate over the last 10 s, bits per second (live fragments). */
  ingestBitrateBps: number;
  /** Fragments (frames) arriving per second over the last 10 s. */
  fps: number;
  /** The frame rate asked of the Sentinel. */
  requestedFps: number;
  fragmentsReceived: number;
  bytesReceived: number;
  /** Server receive time − `prft` capture time, ms, over the last minute (includes the kiosk clock's offset). */
  fragmentAgeMs: WindowFigures;
  /** Receive → `ack` sent (after the write is durable, fdatasync), ms, over the last minute. */
  ackLatencyMs: WindowFigures;
  /** Whether the Sentinel is resending an old backlog (after a reconnect or storage outage). */
  backlog: {
    /** A fragment older than `thresholdMs` arrived within the last 5 s. */
    draining: boolean;
    thresholdMs: number;
    /** Fragments that arrived older than `thresholdMs` since the stream started. */
    fragments: number;
    lastAtMs: number | null;
    lastAgeMs: number | null;
    /** Unacknowledged messages the Sentinel reported in its last `status`, or null. */
    sentinelQueueDepth: number | null;
  };
  storage: {
    state: 'ok' | 'storage-failed';
    error: string | null;
    writeFailures: number;
    /** Bytes queued for the disk and not yet durable. */
    pendingWriteBytes: number;
    lastReceivedSequence: number;
    lastAckedSequence: number;
  };
  viewerCount: number;
  viewers: ViewerStatsView[];
}

/** `GET /api/exams/:examId/stats`: the exam's live figures over the streams the relay holds. */
export interface ExamStatsView {
  examId: string;
  atMs: number;
  /** Seats of the exam (the seat list). */
  seatsExpected: number;
  /** Of those, seats with a live stream whose Sentinel is connected. */
  seatsConnected: number;
  /** Streams of the exam in the relay, by state. */
  streams: { live: number; disconnected: number };
  /** Streams whose recording writes fail now (relayed live, not acknowledged). */
  storageFailedStreamIds: string[];
  /** Streams draining a resent backlog. */
  backlogDrainingStreamIds: string[];
  /** Subscriptions of proctors to the exam's streams. */
  viewers: number;
  /** Sum over the exam's streams, bits per second. */
  ingestBitrateBps: number;
  /** Over every stream of the exam (last minute). */
  fragmentAgeMs: WindowFigures;
  ackLatencyMs: WindowFigures;
  /** Over every viewer of the exam's streams (last minute). */
  deliveryLatencyMs: WindowFigures;
  skippedSegments: number;
  /** The server's load shedding (server-wide), and which of this exam's streams it slows now. */
  load: LoadSheddingView;
}

/**
 * Load shedding (server-wide; backend/src/relay/load-shedding.ts): level 0 normal, 1 unwatched
 * streams at 0.2 fps, 2 also streams watched only as tiles, 3 also focused streams at their base rate.
 */
export interface LoadSheddingView {
  level: 0 | 1 | 2 | 3;
  /** Signals over their thresholds in the last second. */
  reasons: ('event-loop' | 'egress' | 'disk')[];
  /** When the level last changed, ms since the Unix epoch, or null. */
  changedAtMs: number | null;
  /** The last second's signals: event-loop delay p99 (ms), bytes queued to viewers, slowest ack (ms). */
  eventLoopDelayMs: number;
  egressQueuedBytes: number;
  slowestAckMs: number;
  /** Streams (of the exam asked about) whose frame rate load shedding lowers now. */
  shedStreamIds: string[];
}

/** Every kind of alert; see {@link AlertView.kind}. */
export const ALERT_KINDS = ['disconnected', 'storage-failed', 'clock-skew', 'capture-stopped', 'screen-blank', 'screen-frozen', 'screen-changed'] as const;

/** One of {@link ALERT_KINDS}. */
export type AlertKind = (typeof ALERT_KINDS)[number];

/** An alert raised by the server (`GET /api/exams/:examId/alerts`). */
export interface AlertView {
  id: number;
  /**
   * `disconnected` (no Sentinel for longer than VIGIL_ALERT_DISCONNECTED_SECONDS), `storage-failed`, `clock-skew` (kiosk
   * clock off), `capture-stopped` (screen sharing ended or muted), `screen-blank` (one flat colour for
   * VIGIL_ALERT_BLANK_SECONDS), `screen-frozen` (unchanged for VIGIL_ALERT_FROZEN_SECONDS), `screen-changed` (the screen's
   * size or number of screens changed; clears after a minute).
   */
  kind: AlertKind;
  streamId: string;
  examId: string;
  seatId: string;
  detail: string;
  raisedAtMs: number;
  /** When the condition ended, or null while it holds. */
  clearedAtMs: number | null;
  /** A proctor's acknowledgement, or null. */
  ack: { by: string; atMs: number; note: string } | null;
}

/**
 * A recording's metadata (`meta.json`, written once per stream), as `GET /api/recordings`
 * lists it. One per stream: a seat has several when its Sentinel started new streams.
 */
export interface RecordingMeta {
  streamId: string;
  examId: string;
  seatId: string;
  encoder: string;
  userAgent: string;
  /** When the stream was created, ms since the Unix epoch. */
  createdAtMs: number;
}

/** Who put an event on a stream's event track. */
export type StreamEventSource = 'server' | 'sentinel' | 'exam-app' | 'proctor';

/**
 * What an exam application (an LMS, the exam page) may report through `POST /api/sentinel/events`
 * with the seat token: the student left full screen, pasted, switched away from the exam page,
 * copied, opened a new window, or `other` (then say what in `text`).
 */
export const EXAM_APP_EVENT_KINDS = ['left-fullscreen', 'entered-fullscreen', 'paste', 'copy', 'page-hidden', 'page-visible', 'window-blur', 'window-focus', 'new-window', 'other'] as const;

/** One of {@link EXAM_APP_EVENT_KINDS}. */
export type ExamAppEventKind = (typeof EXAM_APP_EVENT_KINDS)[number];

/** Longest free text of an exam application's event, characters. */
export const EXAM_APP_TEXT_MAX_LENGTH = 500;

/** Body of `POST /api/sentinel/events` (`Authorization: Bearer <seat token>`). */
export interface ExamAppEventBody {
  kind: ExamAppEventKind;
  /** Free text, at most {@link EXAM_APP_TEXT_MAX_LENGTH} characters (what was pasted is not evidence enough to keep: send a summary). */
  text?: string;
  /** When it happened, ms since the Unix epoch (the application's clock); absent = when the server received it. At most 10 minutes old, 1 minute ahead. */
  atMs?: number;
}

/** Answer of `POST /api/sentinel/events`: where the event went. */
export interface ExamAppEventResult {
  streamId: string;
  atMs: number;
}

/** What a proctor puts on a recording's moment: a `flag` (look here) or a `note` (what they saw). */
export type ProctorEventKind = 'flag' | 'note';

/** Longest text of a proctor's flag or note, characters. */
export const PROCTOR_EVENT_TEXT_MAX_LENGTH = 2000;

/** Body of `POST /api/recordings/:streamId/events`. */
export interface CreateProctorEventBody {
  /** The moment of the recording, ms since the Unix epoch (capture clock, as the index's `startMs`). */
  atMs: number;
  kind: ProctorEventKind;
  /** 0..{@link PROCTOR_EVENT_TEXT_MAX_LENGTH} characters (a flag may have none). */
  text: string;
}

/**
 * One event of a stream's event track (`GET /api/recordings/:streamId/events`), time-aligned with
 * the recording: `atMs` is on the capture clock for Sentinel events and proctor flags (the clock
 * of the index's `startMs`), the server clock for server events.
 */
export interface StreamEventView {
  /** When it happened, ms since the Unix epoch. */
  atMs: number;
  source: StreamEventSource;
  /**
   * What happened. Server: `connect`, `disconnect`, `set-fps`, `keyframe`, `stop`, `storage`,
   * `gap`, `events-dropped`; Sentinel: its event kinds (`capture-started`, `screen-blank`, …);
   * exam application: {@link ExamAppEventKind}; proctor: {@link ProctorEventKind}.
   */
  type: string;
  /** Everything else the event carries (e.g. `{fps, reason}`, `{state, heldMs}`, `{text}`). */
  detail: Record<string, unknown>;
  /** Who: a proctor's e-mail (proctor events only). */
  by?: string;
  /** When the server stored it, ms since the Unix epoch (exam-app and proctor events; Sentinel events that arrived late). */
  receivedAtMs?: number;
}

/** `GET /api/recordings/:streamId/events?from=&to=`. */
export interface StreamEventsView {
  streamId: string;
  fromMs: number;
  toMs: number;
  /** Events in `[fromMs, toMs]`, oldest first. */
  events: StreamEventView[];
  /** True when more than the answer's limit matched: narrow the range. */
  truncated: boolean;
}
