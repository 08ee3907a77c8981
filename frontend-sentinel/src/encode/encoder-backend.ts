/**
 * The seam between the pipeline and an H.264 encoder. The WebCodecs `VideoEncoder` backend
 * implements it now; an OpenH264-in-WebAssembly backend can implement it later with no change
 * to the muxer or the sender, because both only see {@link EncodedVideo}.
 */

/** Encoder implementation names, as sent in `hello.encoder` (`@vigil/protocol`). */
export type EncoderName = 'webcodecs' | 'openh264-wasm';

/** What to encode. */
export interface VideoEncoderSettings {
  /** Codec string to request, e.g. `avc1.42E028` (Constrained Baseline, level 4.0). */
  codec: string;
  /** Encoded width, pixels (even). Input frames of another size are scaled to it. */
  width: number;
  /** Encoded height, pixels (even). */
  height: number;
  /** Target bitrate, bits per second. */
  bitrate: number;
  /** Frame rate, fps (0.2..5); rate control uses it to size frames. */
  framerate: number;
}

/** The decoder configuration that comes with the first output after (re)configuration. */
export interface EncodedDecoderConfig {
  /** AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1): SPS + PPS. */
  avcC: Uint8Array;
  /** Coded width, pixels. */
  width: number;
  /** Coded height, pixels. */
  height: number;
}

/** One encoded access unit. */
export interface EncodedVideo {
  /** 'key' for an IDR access unit, 'delta' otherwise. */
  type: 'key' | 'delta';
  /** Timestamp of the input frame, microseconds (W3C WebCodecs `EncodedVideoChunk.timestamp`). */
  timestamp: number;
  /** The access unit, AVCC: NAL units each prefixed by a 4-byte big-endian length. Owned by the receiver. */
  data: Uint8Array;
  /** Present when the decoder configuration (SPS/PPS, size) is new. */
  decoderConfig?: EncodedDecoderConfig;
}

/** Callbacks a backend reports to. */
export interface EncoderBackendCallbacks {
  /** Each encoded access unit, in input order. */
  output(chunk: EncodedVideo): void;
  /** A failure; the backend is unusable afterwards and must be replaced. */
  error(error: Error): void;
}

/** An H.264 encoder producing Constrained Baseline AVCC access units. */
export interface EncoderBackend {
  /** Implementation name for `hello.encoder` and status. */
  readonly name: EncoderName;
  /** Frames submitted and not yet output. */
  readonly queueSize: number;
  /**
   * (Re)configures the encoder. Resolves once encoding with `settings` can start.
   * @throws Error (rejects) when the settings are not supported
   */
  configure(settings: VideoEncoderSettings): Promise<void>;
  /**
   * Encodes `frame` (its `timestamp`, µs, comes back on the output). The caller keeps
   * ownership of `frame` and closes it; `keyFrame` forces an IDR.
   */
  encode(frame: VideoFrame, keyFrame: boolean): void;
  /** Resolves when every submitted frame has been output. */
  flush(): Promise<void>;
  /** Releases the encoder. Idempotent. */
  close(): void;
}
