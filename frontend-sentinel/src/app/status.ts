/** The Sentinel's status snapshot: shown in the panel, exposed as `window.__vigilSentinel`. */
import type { CaptureState } from '../capture/screen-capture';
import type { EncoderName } from '../encode/encoder-backend';
import type { ConnectionState } from '../sender/sentinel-sender';

/** Overall phase of the page. */
export type SentinelPhase = 'starting' | 'waiting-for-share' | 'running' | 'error' | 'stopped' | 'ended';

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
}

/** The overall state for a phase and a connection state. */
export function overallState(phase: SentinelPhase, connection: ConnectionState): SentinelState {
  if (phase !== 'running') return phase;
  switch (connection) {
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
