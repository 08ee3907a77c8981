import type { SentinelStatus } from '../app/status';
import { alertFor, storageAlertFor, summaryText } from './status-panel';

function status(over: Partial<SentinelStatus> = {}): SentinelStatus {
  return {
    state: 'streaming',
    phase: 'running',
    connection: 'connected',
    capture: 'active',
    examId: 'exam-1',
    seatId: 'seat-7',
    streamId: 'st-1',
    fps: 1,
    sourceWidth: 1920,
    sourceHeight: 1080,
    width: 1920,
    height: 1080,
    codec: 'avc1.42C028',
    requestedCodec: 'avc1.42E028',
    encoder: 'webcodecs',
    targetBitrate: 1_000_000,
    ticks: 10,
    ticksSkipped: 0,
    framesEncoded: 10,
    keyframes: 1,
    encoderKeyframes: 0,
    encodeMsAvg: 10,
    encodeMsLast: 10,
    encodeMsMedian: 10,
    bytesPerFrameAvg: 3000,
    bytesSent: 30000,
    queueDepth: 0,
    queueBytes: 0,
    lastAckedSequence: 11,
    highestSequence: 11,
    reconnects: 0,
    lastError: null,
    endedMessage: null,
    queuedSeconds: 0,
    queuedFrames: 0,
    storage: 'ok',
    storageError: null,
    storageUsageBytes: null,
    storageQuotaBytes: null,
    storedSequence: 11,
    restoredMessages: 0,
    restoredFrames: 0,
    restoredStreamId: null,
    gaps: 0,
    lastGap: null,
    uploadOnly: false,
    allRecorded: false,
    lastWelcomeAtMs: 1.7e12,
    eventsQueued: 0,
    eventsDropped: 0,
    lastEvent: null,
    screenBlank: false,
    screenFrozen: false,
    screenLuma: null,
    screenFlatness: null,
    ...over,
  };
}

describe('status panel texts', () => {
  it('says nothing about storage while the backlog is saved', () => {
    expect(storageAlertFor(status())).toBe('');
  });

  it('says plainly when the quota is exhausted, with what is at risk', () => {
    const text = storageAlertFor(status({ storage: 'quota-exceeded', queuedFrames: 123, queueBytes: 4_718_592 }));
    expect(text).toContain('Storage on this computer is full: 123 queued frames (4.5 MiB) are kept in memory only');
    expect(text).toContain('would be lost if this page is reloaded');
  });

  it('says when writes fail or IndexedDB is missing', () => {
    expect(storageAlertFor(status({ storage: 'failed', storageError: 'UnknownError: disk I/O' }))).toContain('fails (UnknownError: disk I/O)');
    expect(storageAlertFor(status({ storage: 'unavailable', storageError: 'IndexedDB cannot be opened' }))).toContain('cannot be saved');
    expect(storageAlertFor(status({ phase: 'ended', allRecorded: true, storage: 'failed' }))).toBe('');
  });

  it('shows what is queued while offline, and whether it is safe', () => {
    const offline = status({ connection: 'reconnecting', queuedFrames: 61, queuedSeconds: 61, queueBytes: 188_661 });
    expect(summaryText(offline)).toBe(
      'Recording; reconnecting to the server (61 frames, 1 min 01 s, 0.2 MB queued; saved on this computer, nothing is lost meanwhile).',
    );
    expect(summaryText({ ...offline, storage: 'quota-exceeded' })).toContain('NOT saved on this computer');
  });

  it('shows upload progress after the stream ended, then "all recorded"', () => {
    const uploading = status({ phase: 'uploading', connection: 'uploading', queuedFrames: 123, queueBytes: 4_500_000, endedMessage: 'The exam is over.' });
    expect(summaryText(uploading)).toBe('Uploading 123 queued frames, 4.5 MB. Keep this window open until it says "all recorded".');
    expect(alertFor(uploading)).toBe('The exam is over.');
    expect(summaryText(status({ phase: 'ended', allRecorded: true }))).toContain('all recorded');
    const lost = status({ phase: 'ended', allRecorded: false, queueDepth: 3, queuedFrames: 3, endedMessage: 'Refused.' });
    expect(alertFor(lost)).toBe('Refused. 3 queued frames could not be uploaded.');
  });

  it('says when it catches up after an outage', () => {
    expect(summaryText(status({ queuedSeconds: 30, queuedFrames: 30, queueBytes: 2_000_000 }))).toBe(
      'Recording (1 fps); catching up: 30 queued frames, 2.0 MB.',
    );
  });
});
