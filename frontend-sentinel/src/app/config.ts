/**
 * The Sentinel page's configuration, read from its URL:
 * `/sentinel/?exam=E&seat=S[&server=wss://host/ws/sentinel][&encoder=webcodecs|wasm]#token=T`.
 *
 * Parameters come from the query and from the fragment (`#a=1&b=2`, same syntax); one given in
 * both takes the fragment's value. The kiosk URL puts the seat token in the fragment: a browser
 * never sends the fragment to a server (RFC 3986 §3.5), so the token stays out of request lines,
 * access logs and `Referer` headers; {@link addressWithoutToken} then takes it out of the
 * address bar. `?token=T` in the query is still read (kiosk URLs exported before this change;
 * accepted for one release).
 *
 * - `exam`, `seat`: identifiers (1..128 of `A-Z a-z 0-9 . _ : -`, `@vigil/protocol` ID_PATTERN).
 * - `token`: the seat token (may be empty; the server then answers `auth-required`).
 * - `server`: WebSocket URL override (tests, split deployments); default
 *   `ws(s)://<page host>/ws/sentinel`, `wss:` when the page is `https:`.
 * - `encoder`: `webcodecs` (default: WebCodecs when the browser can, else the OpenH264 WebAssembly
 *   fallback) or `wasm` (force the fallback); see `encode/encoder-selection.ts`.
 * - `keyframeInterval`: longest gap between keyframes, seconds, 20..30 (default 25).
 */
// first: sets zod up for the page's CSP before @vigil/protocol builds its schemas
import './csp-setup';
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
  /** The fragment, `#token=…` (`location.hash`); absent or '' = none. */
  hash?: string;
}

/** A seat token's form (`@vigil/protocol` hello.token): 0..1024 visible ASCII characters. */
function isTokenForm(token: string): boolean {
  return token.length <= TOKEN_MAX_LENGTH && /^[\x21-\x7e]*$/.test(token);
}

/** The page's parameters: the query's, overridden by the fragment's (`#a=1&b=2`). */
function pageParams(search: string, hash: string): URLSearchParams {
  const params = new URLSearchParams(search);
  for (const [name, value] of new URLSearchParams(hash.replace(/^#/, ''))) params.set(name, value);
  return params;
}

/**
 * The page address with the seat token removed from query and fragment, for
 * `history.replaceState(null, '', …)` once the token is read, so it does not linger in the
 * address bar, in a screenshot of it or in the history. Other parameters stay.
 * @param href the page address (`location.href`)
 * @returns the address without `token`, or null when it has none (nothing to replace)
 * @throws TypeError when `href` is not an absolute URL
 */
export function addressWithoutToken(href: string): string | null {
  let url: URL;
  try {
    url = new URL(href);
  } catch {
    throw new TypeError(`href must be an absolute URL, got ${describe(href)}`);
  }
  const hash = new URLSearchParams(url.hash.replace(/^#/, ''));
  if (!url.searchParams.has('token') && !hash.has('token')) return null;
  url.searchParams.delete('token');
  hash.delete('token');
  const rest = hash.toString();
  url.hash = rest === '' ? '' : `#${rest}`;
  // URL keeps a bare "#" after `hash = ''`; an address without one reads better
  return url.href.replace(/#$/, '');
}

/**
 * Parses the page's query string and fragment.
 * @param search `location.search` (with or without the leading `?`)
 * @param location the page's protocol and host, for the default WebSocket URL, and its `hash`
 *   (the fragment, where the kiosk URL carries the token)
 * @throws TypeError naming the parameter and what it must be
 */
export function parseSentinelConfig(search: string, location: PageLocation): SentinelConfig {
  if (typeof search !== 'string') throw new TypeError(`search must be a string, got ${describe(search)}`);
  if (typeof location !== 'object' || location === null || typeof location.host !== 'string' || typeof location.protocol !== 'string') {
    throw new TypeError('location must be {protocol, host} strings, e.g. window.location');
  }
  if (location.hash !== undefined && typeof location.hash !== 'string') throw new TypeError(`location.hash must be a string, got ${describe(location.hash)}`);
  const params = pageParams(search, location.hash ?? '');
  const examId = params.get('exam') ?? '';
  const seatId = params.get('seat') ?? '';
  if (!ID_PATTERN.test(examId)) {
    throw new TypeError(`exam must be 1 to 128 characters of A-Z a-z 0-9 . _ : -, got ${describe(examId)}: open the page as /sentinel/?exam=E&seat=S#token=T`);
  }
  if (!ID_PATTERN.test(seatId)) {
    throw new TypeError(`seat must be 1 to 128 characters of A-Z a-z 0-9 . _ : -, got ${describe(seatId)}: open the page as /sentinel/?exam=E&seat=S#token=T`);
  }
  const token = params.get('token') ?? '';
  if (!isTokenForm(token)) {
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

/** The page objects {@link loadPageConfig} reads and writes (a `window`, or fakes in tests). */
export interface SentinelPage {
  location: PageLocation & { search: string; href: string };
  history: Pick<History, 'replaceState' | 'state'>;
  /** `sessionStorage`; null when the browser refuses it (then a reload needs the kiosk URL again). */
  sessionStorage: Pick<Storage, 'getItem' | 'setItem'> | null;
}

/** sessionStorage key of the seat token of one exam and seat. */
export function tokenStorageKey(examId: string, seatId: string): string {
  return `vigil-sentinel-token:${examId}:${seatId}`;
}

/**
 * Reads the configuration from the page address ({@link parseSentinelConfig}), then takes the
 * seat token out of the address bar (`history.replaceState`, {@link addressWithoutToken}) and
 * keeps it in this tab's `sessionStorage` instead, so a reload of the same tab (kiosk
 * watchdog, F5, the backlog's resume) still has it while the address shows none. An address
 * without a token uses the stored one of the same exam and seat.
 * @throws TypeError from {@link parseSentinelConfig}
 */
export function loadPageConfig(page: SentinelPage): SentinelConfig {
  const parsed = parseSentinelConfig(page.location.search, page.location);
  const key = tokenStorageKey(parsed.examId, parsed.seatId);
  let token = parsed.token;
  try {
    // reading window.sessionStorage itself throws where storage is denied
    const storage = page.sessionStorage;
    if (token !== '') {
      storage?.setItem(key, token);
    } else {
      const stored = storage?.getItem(key) ?? '';
      if (isTokenForm(stored)) token = stored;
    }
  } catch {
    // storage full or denied: the token from the address still works for this load
  }
  const cleaned = addressWithoutToken(page.location.href);
  if (cleaned !== null) page.history.replaceState(page.history.state, '', cleaned);
  return token === parsed.token ? parsed : { ...parsed, token };
}
