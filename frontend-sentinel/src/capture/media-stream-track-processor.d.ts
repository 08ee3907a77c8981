/**
 * `MediaStreamTrackProcessor` (W3C "MediaStreamTrack Insertable Media Processing using
 * Streams", mediacapture-transform): turns a video track into a `ReadableStream<VideoFrame>`.
 * Chromium exposes it on windows and workers; TypeScript's DOM library does not declare it.
 */
interface MediaStreamTrackProcessorInit {
  track: MediaStreamTrack;
  /** Frames buffered before the oldest is dropped (Chromium default: 1 for video). */
  maxBufferSize?: number;
}

interface MediaStreamTrackProcessor {
  readonly readable: ReadableStream<VideoFrame>;
}

// eslint-disable-next-line no-var
declare var MediaStreamTrackProcessor:
  | {
      prototype: MediaStreamTrackProcessor;
      new (init: MediaStreamTrackProcessorInit): MediaStreamTrackProcessor;
    }
  | undefined;
