/** The Sentinel's status snapshot: shown in the panel, exposed as `window.__vigilSentinel`. */
import type { CaptureState } from '../capture/screen-capture';
import type { EncoderName } from '../encode/encoder-backend';
import type { BacklogStorageState } from '../sender/backlog-persister';
import type { CaptureGap } from '../sender/outbound-queue';
import type { ConnectionState } from '../sender/sentinel-sender';

/**
 * Overall phase of the page. `uploading`: capture has stopped for good (the server's `stop`,
 * or the exam is over) and the queued backlog is being uploaded.
 */
export type SentinelPhase = 'starting' | 'waiting-for-share' | 'running' | 'uploading' | 'error' | 'stopped' | 'ended';

/**
 * One-word overall state: `streaming` = capturing and connected (welcome received);
 * `connecting` / `reconnecting` = capturing (and queueing) while the socket is not ready.
 */
export type SentinelState =
  | 'starting'
  | 'waiting-for-share'
  | 'connecting'
  | 'streaming'
  | 'reconnecting'
  | 'uploading'
  | 'error'
  | 'stopped'
  | 'ended';

/** A read-only, JSON-safe status snapshot. Units in the field names' docs. */
export interface SentinelStatus {
  /** Overall state (derived from phase and connection). */
  readonly state: SentinelState;
  readonly phase: SentinelPhase;
  /** WebSocket connection state. */
  readonly connection: ConnectionState;
  /** Screen capture state. */
  readonly capture: CaptureState;
  readonly examId: string;
  readonly seatId: string;
  /** Stream id from the server's welcome, or null. */
  readonly streamId: string | null;
  /** Frame rate in force, fps. */
  readonly fps: number;
  /** Captured size, pixels (0 before the first frame). */
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  /** Encoded size, pixels (0 before the first frame). */
  readonly width: number;
  readonly height: number;
  /** Codec string from the avcC (e.g. `avc1.42C028`), or null before the first init segment. */
  readonly codec: string | null;
  /** Codec string requested from the encoder (e.g. `avc1.42E028`), or null. */
  readonly requestedCodec: string | null;
  /** Encoder implementation. */
  readonly encoder: EncoderName;
  /** Target bitrate, bits per second (0 before configuration). */
  readonly targetBitrate: number;
  /** Frame-clock ticks since start, and ticks that encoded nothing (no frame, busy, queue full). */
  readonly ticks: number;
  readonly ticksSkipped: number;
  /** Access units output by the encoder, and how many were keyframes (IDR). */
  readonly framesEncoded: number;
  readonly keyframes: number;
  /**
   * Of those keyframes, the ones the encoder made on its own (OpenH264 inserts IDRs on
   * whole-screen scene changes); they are join points like any other.
   */
  readonly encoderKeyframes: number;
  /** Mean and last encode latency (encode() call to output), ms, over the last 50 frames. */
  readonly encodeMsAvg: number;
  readonly encodeMsLast: number;
  /** Median encode latency, ms, over the last 50 frames (the mean includes the slow first frame). */
  readonly encodeMsMedian: number;
  /** Mean access-unit size, bytes, over the last 50 frames. */
  readonly bytesPerFrameAvg: number;
  /** Media bytes handed to the socket, headers included, resends counted again. */
  readonly bytesSent: number;
  /** Unacknowledged messages and bytes in the outbound queue. */
  readonly queueDepth: number;
  readonly queueBytes: number;
  /** Highest sequence number acknowledged (0 = none) and highest queued. */
  readonly lastAckedSequence: number;
  readonly highestSequence: number;
  /** Reconnection attempts. */
  readonly reconnects: number;
  /** Most recent error text, or null. */
  readonly lastError: string | null;
  /** The server's words when it ended the stream (`stop`): shown to the student; null until then. */
  readonly endedMessage: string | null;
  /** Media duration of the unacknowledged fragments, seconds (one decimal). */
  readonly queuedSeconds: number;
  /** Unacknowledged fragments (frames) in the queue. */
  readonly queuedFrames: number;
  /**
   * Whether the backlog survives a reload: `starting` (store not open yet), `ok` (IndexedDB),
   * `quota-exceeded`, `failed` (writes fail: memory only, retried), `unavailable` (no IndexedDB).
   */
  readonly storage: BacklogStorageState | 'starting';
  /** Why the backlog is not stored, or null. */
  readonly storageError: string | null;
  /** Origin storage use and quota (`navigator.storage.estimate()`), bytes; null when unknown. */
  readonly storageUsageBytes: number | null;
  readonly storageQuotaBytes: number | null;
  /** Highest sequence number written to IndexedDB (or acknowledged). */
  readonly storedSequence: number;
  /** Messages an earlier page left unacknowledged that this page took over (0 when none). */
  readonly restoredMessages: number;
  /** Of those, fragments (frames). */
  readonly restoredFrames: number;
  /** The stream an earlier page of this seat left, resumed by this page; null when none. */
  readonly restoredStreamId: string | null;
  /** `gap` notices attached to the stream by this page, and the last one. */
  readonly gaps: number;
  readonly lastGap: CaptureGap | null;
  /** True while only the backlog is uploaded (capture stopped for good). */
  readonly uploadOnly: boolean;
  /** True once the stream is over and every message was acknowledged ("all recorded"). */
  readonly allRecorded: boolean;
  /** When the last `welcome` arrived, ms since the Unix epoch; null before the first. */
  readonly lastWelcomeAtMs: number | null;
  /** Events (`event` messages) waiting for the server's acknowledgement. */
  readonly eventsQueued: number;
  /** Events dropped because too many waited (a long disconnect). */
  readonly eventsDropped: number;
  /** Kind of the newest event queued, or null. */
  readonly lastEvent: string | null;
  /** The screen watch reports the picture blank / unchanged now. */
  readonly screenBlank: boolean;
  readonly screenFrozen: boolean;
  /** Mean luma (0..255) and flat share (0..1) of the last picture the screen watch looked at, or null. */
  readonly screenLuma: number | null;
  readonly screenFlatness: number | null;
}

/** The overall state for a phase and a connection state. */
export function overallState(phase: SentinelPhase, connection: ConnectionState): SentinelState {
  if (phase !== 'running') return phase;
  switch (connection) {
    case 'uploading':
      return 'uploading';
    case 'connected':
      return 'streaming';
    case 'reconnecting':
      return 'reconnecting';
    case 'failed':
      return 'error';
    case 'stopped':
      return 'stopped';
    case 'ended':
      return 'ended';
    default:
      return 'connecting';
  }
}
