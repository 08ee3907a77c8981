/**
 * The Sentinel's status panel: plain DOM, text only, readable by screen readers
 * (a polite live region for the summary, an alert region for errors, a description list for
 * the details). Renders at most every 250 ms, whatever the event rate.
 */
import type { SentinelStatus } from '../app/status';
import { formatBitrate, formatBytes, formatDuration, formatFps } from './format';

const ROWS: ReadonlyArray<readonly [label: string, value: (s: SentinelStatus) => string]> = [
  ['Connection', (s) => `${s.connection}${s.streamId ? ` (stream ${s.streamId})` : ''}`],
  ['Screen capture', (s) => s.capture],
  ['Frame rate', (s) => formatFps(s.fps)],
  [
    'Resolution',
    (s) =>
      s.width === 0
        ? s.phase === 'ended' || s.phase === 'error' || s.phase === 'stopped'
          ? '-'
          : 'waiting for the first frame'
        : `${s.width}x${s.height}${s.sourceWidth !== s.width || s.sourceHeight !== s.height ? ` (screen ${s.sourceWidth}x${s.sourceHeight})` : ''}`,
  ],
  ['Codec', (s) => s.codec ?? s.requestedCodec ?? '-'],
  ['Encoder', (s) => (s.targetBitrate > 0 ? `${s.encoder}, target ${formatBitrate(s.targetBitrate)}` : s.encoder)],
  [
    'Frames',
    (s) => `${s.framesEncoded} encoded, ${s.keyframes} keyframes (${s.encoderKeyframes} by the encoder itself), ${s.ticksSkipped} ticks skipped`,
  ],
  ['Encode time', (s) => `${s.encodeMsMedian} ms median, ${s.encodeMsLast} ms last; ${formatBytes(s.bytesPerFrameAvg)} per frame`],
  ['Bytes sent', (s) => formatBytes(s.bytesSent)],
  [
    'Upload queue',
    (s) =>
      `${s.queuedFrames} frames (${formatDuration(s.queuedSeconds)}), ${formatBytes(s.queueBytes)} not yet recorded by the server ` +
      `(${s.queueDepth} messages; acknowledged up to #${s.lastAckedSequence} of #${s.highestSequence})`,
  ],
  ['Backlog storage', (s) => storageText(s)],
  [
    'Earlier page',
    (s) => (s.restoredStreamId === null && s.restoredMessages === 0 ? 'none' : `took over ${s.restoredFrames} queued frames of stream ${s.restoredStreamId ?? '(not named yet)'}`),
  ],
  ['Gaps', (s) => (s.lastGap === null ? 'none' : `${s.gaps}; last: ${s.lastGap.reason}, ${formatDuration((s.lastGap.toMs - s.lastGap.fromMs) / 1000)}`)],
  ['Reconnects', (s) => String(s.reconnects)],
  ['Last error', (s) => s.lastError ?? 'none'],
];

const RECORDING_HEADING = 'Vigil Sentinel: this screen is being recorded for the exam';
const ENDED_HEADING = 'Vigil Sentinel: screen recording has ended';
const UPLOADING_HEADING = 'Vigil Sentinel: screen recording has ended; uploading what is left';

/** Renders {@link SentinelStatus} into a container element. */
export class StatusPanel {
  private readonly heading: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly alert: HTMLElement;
  private readonly storageAlert: HTMLElement;
  private readonly shareButton: HTMLButtonElement;
  private readonly values: HTMLElement[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private latest: (() => SentinelStatus) | null = null;

  constructor(root: HTMLElement) {
    const doc = root.ownerDocument;
    root.replaceChildren();
    const heading = doc.createElement('h1');
    heading.textContent = RECORDING_HEADING;
    this.heading = heading;
    this.summary = doc.createElement('p');
    this.summary.id = 'sentinel-summary';
    this.summary.setAttribute('role', 'status');
    this.summary.setAttribute('aria-live', 'polite');
    this.summary.textContent = 'Starting...';
    this.alert = doc.createElement('p');
    this.alert.id = 'sentinel-alert';
    this.alert.setAttribute('role', 'alert');
    this.storageAlert = doc.createElement('p');
    this.storageAlert.id = 'sentinel-storage-alert';
    this.storageAlert.setAttribute('role', 'alert');
    this.shareButton = doc.createElement('button');
    this.shareButton.type = 'button';
    this.shareButton.id = 'sentinel-share';
    this.shareButton.textContent = 'Share entire screen';
    this.shareButton.hidden = true;
    const list = doc.createElement('dl');
    list.id = 'sentinel-status';
    for (const [label] of ROWS) {
      const dt = doc.createElement('dt');
      dt.textContent = label;
      const dd = doc.createElement('dd');
      list.append(dt, dd);
      this.values.push(dd);
    }
    root.append(heading, this.summary, this.alert, this.storageAlert, this.shareButton, list);
  }

  /** Calls `handler` when the user asks to share the screen (again). */
  onShare(handler: () => void): void {
    this.shareButton.addEventListener('click', handler);
  }

  /** Schedules a render of `read()` (coalesced: at most one render per 250 ms). */
  schedule(read: () => SentinelStatus): void {
    this.latest = read;
    if (this.timer !== null) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.latest !== null) this.render(this.latest());
    }, 250);
  }

  /** Renders `status` now. */
  render(status: SentinelStatus): void {
    const heading = status.phase === 'ended' ? ENDED_HEADING : status.phase === 'uploading' ? UPLOADING_HEADING : RECORDING_HEADING;
    if (this.heading.textContent !== heading) this.heading.textContent = heading;
    this.summary.textContent = summaryText(status);
    const alertText = alertFor(status);
    if (this.alert.textContent !== alertText) this.alert.textContent = alertText;
    const storageText = storageAlertFor(status);
    if (this.storageAlert.textContent !== storageText) this.storageAlert.textContent = storageText;
    this.shareButton.hidden = status.phase !== 'waiting-for-share';
    ROWS.forEach(([, value], i) => {
      const text = value(status);
      const dd = this.values[i]!;
      if (dd.textContent !== text) dd.textContent = text;
    });
  }

  /** Shows an error that stops the page before the pipeline exists (e.g. a bad URL). */
  showFatal(message: string): void {
    this.summary.textContent = 'The Sentinel cannot start.';
    this.alert.textContent = message;
  }
}

/**
 * The storage alert: said plainly whenever the backlog would not survive a reload (quota
 * exhausted, writes failing, no IndexedDB) while something is queued or capture runs.
 */
export function storageAlertFor(s: SentinelStatus): string {
  if (s.phase === 'ended' && s.allRecorded) return '';
  switch (s.storage) {
    case 'quota-exceeded':
      return (
        `Storage on this computer is full: ${s.queuedFrames} queued frames (${formatBytes(s.queueBytes)}) are kept in memory only ` +
        'and would be lost if this page is reloaded or the browser closes. Do not close this window; tell the exam staff.'
      );
    case 'failed':
      return (
        `Saving the upload queue on this computer fails (${s.storageError ?? 'unknown error'}): queued frames are kept in memory only ` +
        'and would be lost if this page is reloaded. Do not close this window; tell the exam staff.'
      );
    case 'unavailable':
      return `The upload queue cannot be saved on this computer (${s.storageError ?? 'no IndexedDB'}): queued frames would be lost if this page is reloaded.`;
    default:
      return '';
  }
}

function storageText(s: SentinelStatus): string {
  const use =
    s.storageUsageBytes !== null && s.storageQuotaBytes !== null
      ? ` (${formatBytes(s.storageUsageBytes)} of ${formatBytes(s.storageQuotaBytes)} used)`
      : '';
  switch (s.storage) {
    case 'starting':
      return 'opening';
    case 'ok':
      return `IndexedDB ok, saved up to #${s.storedSequence}${use}`;
    case 'quota-exceeded':
      return `QUOTA EXCEEDED: memory only${use}`;
    case 'failed':
      return `FAILING: memory only (${s.storageError ?? ''})`;
    case 'unavailable':
      return `UNAVAILABLE: memory only (${s.storageError ?? ''})`;
  }
}

/** The alert line: the server's words once it ended the stream, the error that stopped us, or nothing. */
export function alertFor(s: SentinelStatus): string {
  switch (s.phase) {
    case 'ended':
      if (!s.allRecorded && s.queueDepth > 0) return `${s.endedMessage ?? 'The stream has ended.'} ${s.queuedFrames} queued frames could not be uploaded.`;
      return s.endedMessage ?? '';
    case 'uploading':
      return s.endedMessage ?? '';
    case 'error':
    case 'waiting-for-share':
      return s.lastError ?? '';
    default:
      return '';
  }
}

export function summaryText(s: SentinelStatus): string {
  switch (s.phase) {
    case 'starting':
      return 'Starting...';
    case 'waiting-for-share':
      return 'Waiting for screen sharing: press "Share entire screen".';
    case 'error':
      return 'Stopped by an error (see below).';
    case 'stopped':
      return 'Stopped.';
    case 'ended':
      return s.allRecorded
        ? 'Screen recording has ended; all recorded: the server has every frame. This screen is no longer recorded.'
        : 'Screen recording has ended; this screen is no longer recorded.';
    case 'uploading':
      return `Uploading ${s.queuedFrames} queued frames, ${formatMB(s.queueBytes)}. Keep this window open until it says "all recorded".`;
    case 'running':
      if (s.connection === 'connected') {
        return s.queuedSeconds > 5
          ? `Recording (${formatFps(s.fps)}); catching up: ${s.queuedFrames} queued frames, ${formatMB(s.queueBytes)}.`
          : `Recording and uploading (${formatFps(s.fps)}).`;
      }
      if (s.connection === 'failed') return 'Recording, but the server refused this seat.';
      return (
        `Recording; ${s.connection === 'reconnecting' ? 'reconnecting to' : 'connecting to'} the server ` +
        `(${s.queuedFrames} frames, ${formatDuration(s.queuedSeconds)}, ${formatMB(s.queueBytes)} queued; ` +
        `${s.storage === 'ok' ? 'saved on this computer, nothing is lost meanwhile' : 'NOT saved on this computer'}).`
      );
  }
}

/** Bytes in decimal megabytes with one decimal ("4.5 MB"), as people read upload sizes. */
function formatMB(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}
