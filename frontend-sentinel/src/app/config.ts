/**
 * The Sentinel page's configuration, read from its URL:
 * `/sentinel/?exam=E&seat=S&token=T[&server=wss://host/ws/sentinel][&encoder=webcodecs|wasm]`.
 *
 * - `exam`, `seat`: identifiers (1..128 of `A-Z a-z 0-9 . _ : -`, `@vigil/protocol` ID_PATTERN).
 * - `token`: the seat token (may be empty for now; the server decides whether it is enough).
 * - `server`: WebSocket URL override (tests, split deployments); default
 *   `ws(s)://<page host>/ws/sentinel`, `wss:` when the page is `https:`.
 * - `encoder`: `webcodecs` (default: WebCodecs when the browser can, else the OpenH264 WebAssembly
 *   fallback) or `wasm` (force the fallback); see `encode/encoder-selection.ts`.
 * - `keyframeInterval`: longest gap between keyframes, seconds, 20..30 (default 25).
 */
import { ID_PATTERN, SENTINEL_WS_PATH, TOKEN_MAX_LENGTH } from '@vigil/protocol';
import { describe } from '../util/assert';
import {
  DEFAULT_MAX_KEYFRAME_INTERVAL_MS,
  MAX_MAX_KEYFRAME_INTERVAL_MS,
  MIN_MAX_KEYFRAME_INTERVAL_MS,
} from '../timing/keyframe-policy';

/** Which encoder the URL asks for. */
export type EncoderChoice = 'webcodecs' | 'wasm';

/** Parsed page configuration. */
export interface SentinelConfig {
  /** Exam identifier. */
  readonly examId: string;
  /** Seat identifier. */
  readonly seatId: string;
  /** Seat token ('' when none was given). */
  readonly token: string;
  /** WebSocket URL of the Sentinel endpoint. */
  readonly wsUrl: string;
  /** Encoder to use. */
  readonly encoder: EncoderChoice;
  /** Longest gap between keyframes, milliseconds (20000..30000). */
  readonly maxKeyframeIntervalMs: number;
}

/** The page location parts the defaults depend on. */
export interface PageLocation {
  /** `http:` or `https:`. */
  protocol: string;
  /** Host and port, e.g. `exam.example.org:8443`. */
  host: string;
}

/**
 * Parses the page's query string.
 * @param search `location.search` (with or without the leading `?`)
 * @param location the page's protocol and host, for the default WebSocket URL
 * @throws TypeError naming the parameter and what it must be
 */
export function parseSentinelConfig(search: string, location: PageLocation): SentinelConfig {
  if (typeof search !== 'string') throw new TypeError(`search must be a string, got ${describe(search)}`);
  if (typeof location !== 'object' || location === null || typeof location.host !== 'string' || typeof location.protocol !== 'string') {
    throw new TypeError('location must be {protocol, host} strings, e.g. window.location');
  }
  const params = new URLSearchParams(search);
  const examId = params.get('exam') ?? '';
  const seatId = params.get('seat') ?? '';
  if (!ID_PATTERN.test(examId)) {
    throw new TypeError(`exam must be 1 to 128 characters of A-Z a-z 0-9 . _ : -, got ${describe(examId)}: open the page as /sentinel/?exam=E&seat=S&token=T`);
  }
  if (!ID_PATTERN.test(seatId)) {
    throw new TypeError(`seat must be 1 to 128 characters of A-Z a-z 0-9 . _ : -, got ${describe(seatId)}: open the page as /sentinel/?exam=E&seat=S&token=T`);
  }
  const token = params.get('token') ?? '';
  if (token.length > TOKEN_MAX_LENGTH || !/^[\x21-\x7e]*$/.test(token)) {
    throw new TypeError(`token must be at most ${TOKEN_MAX_LENGTH} visible ASCII characters (no spaces)`);
  }
  const encoderParam = params.get('encoder') ?? 'webcodecs';
  if (encoderParam !== 'webcodecs' && encoderParam !== 'wasm') {
    throw new TypeError(`encoder must be "webcodecs" or "wasm", got ${describe(encoderParam)}`);
  }
  const server = params.get('server');
  let wsUrl: string;
  if (server !== null && server !== '') {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      throw new TypeError(`server must be an absolute ws: or wss: URL, got ${describe(server)}`);
    }
    if (url.protocol !== 'ws:' && url.protocol !== 'wss:') {
      throw new TypeError(`server must be a ws: or wss: URL, got ${describe(server)}`);
    }
    wsUrl = url.href;
  } else {
    if (location.host === '') throw new TypeError('the page has no host: serve it over http(s) or pass &server=ws://host/ws/sentinel');
    wsUrl = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${SENTINEL_WS_PATH}`;
  }
  const interval = params.get('keyframeInterval');
  let maxKeyframeIntervalMs = DEFAULT_MAX_KEYFRAME_INTERVAL_MS;
  if (interval !== null && interval !== '') {
    const seconds = Number(interval);
    const ms = seconds * 1000;
    if (!Number.isFinite(seconds) || ms < MIN_MAX_KEYFRAME_INTERVAL_MS || ms > MAX_MAX_KEYFRAME_INTERVAL_MS) {
      throw new TypeError(
        `keyframeInterval must be a number of seconds in [${MIN_MAX_KEYFRAME_INTERVAL_MS / 1000}, ${MAX_MAX_KEYFRAME_INTERVAL_MS / 1000}], got ${describe(interval)}`,
      );
    }
    maxKeyframeIntervalMs = ms;
  }
  return { examId, seatId, token, wsUrl, encoder: encoderParam, maxKeyframeIntervalMs };
}
