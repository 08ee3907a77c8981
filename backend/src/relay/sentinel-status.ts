import type { StatusMessage } from '@vigil/protocol';

/** A Sentinel's latest `status` report as the REST API shows it: the message's fields and when it came. */
export type SentinelStatusView = StatusMessage & { atMs: number };

/**
 * A stream's latest `status` report (libs/protocol `statusSchema`, sent every 2 s), updated in
 * place: one object per stream for its whole life instead of a new one per report.
 *
 * Why (issue 10): a report lives until the next one, 2 s, so each new object outlived two
 * young-generation collections and was promoted to V8's old generation, to be freed only by
 * the next major collection; the server took 500 of them a second at 1,000 Sentinels. Here a
 * report costs nothing that outlives the message's parse: the numbers are stored in fields
 * that keep their place, and the encoder name is kept when it did not change (the parsed one
 * is a new string). Measured with V8's `--trace-gc-nvp` (loadgen, 1,000 Sentinels at 1 fps +
 * 20 proctors, server on one core, 40 s of steady state): 280 and 272 kB promoted per
 * scavenge, against 396 and 432 kB before (two runs each, same session; the change also made
 * the recording's open files a class, recording-fs.ts).
 */
export class SentinelStatus {
  fps = 0;
  width = 0;
  height = 0;
  encoder: StatusMessage['encoder'];
  /** Messages sent or waiting and not yet acknowledged. */
  queueDepth = 0;
  /** Bytes of those messages, headers included. */
  queueBytes = 0;
  /** Media bytes sent on this stream since it started, headers included. */
  bytesSent = 0;
  /** IDR frames encoded on this stream since it started. */
  keyframes = 0;
  /** When the report came, server clock, ms since the Unix epoch. */
  atMs = 0;

  /** @param report the first report (already validated) @param atMs when it came, ms since the Unix epoch */
  constructor(report: StatusMessage, atMs: number) {
    this.encoder = report.encoder;
    this.update(report, atMs);
  }

  /** Takes a newer report's fields (already validated by the protocol's schema). */
  update(report: StatusMessage, atMs: number): void {
    this.fps = report.fps;
    this.width = report.width;
    this.height = report.height;
    if (report.encoder !== this.encoder) this.encoder = report.encoder;
    this.queueDepth = report.queueDepth;
    this.queueBytes = report.queueBytes;
    this.bytesSent = report.bytesSent;
    this.keyframes = report.keyframes;
    this.atMs = atMs;
  }

  /** The report as the message it came in, with its reception time (REST `sentinelStatus`). */
  toJSON(): SentinelStatusView {
    return {
      type: 'status',
      fps: this.fps,
      width: this.width,
      height: this.height,
      encoder: this.encoder,
      queueDepth: this.queueDepth,
      queueBytes: this.queueBytes,
      bytesSent: this.bytesSent,
      keyframes: this.keyframes,
      atMs: this.atMs,
    };
  }
}
