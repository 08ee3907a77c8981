/**
 * The review page's event track (pure): what each event of `GET /api/recordings/:streamId/events`
 * says to a proctor, which sources are shown, where the markers go on the timeline (one lane per
 * source, events too close to tell apart on the bar drawn as one marker), and which time range
 * to fetch next while the recording grows. Times are ms since the Unix epoch: the capture clock
 * for Sentinel events and proctors' flags (the clock of the timeline), the server clock for the
 * server's events (close to it: the server raises `clock-skew` when they are a minute apart).
 */
import type { StreamEventSource, StreamEventView } from '@vigil/api';
import { formatDuration } from '../core/format';
import { formatClock } from './wall-clock';
import { percentAt, type Span } from './timeline-layout';

/** Every source, in the order of the lanes and the filter. */
export const EVENT_SOURCES: readonly StreamEventSource[] = ['proctor', 'exam-app', 'sentinel', 'server'];

const SOURCE_LABELS: Readonly<Record<StreamEventSource, string>> = {
  proctor: 'Proctor',
  'exam-app': 'Exam app',
  sentinel: 'Sentinel',
  server: 'Server',
};

/** "Proctor", "Exam app", "Sentinel", "Server". */
export function sourceLabel(source: StreamEventSource): string {
  return SOURCE_LABELS[source] ?? source;
}

/** Colour of each source's markers and badges (one place: the timeline and the list). */
export const SOURCE_COLORS: Readonly<Record<StreamEventSource, string>> = {
  proctor: '#c2185b',
  'exam-app': '#b26a00',
  sentinel: '#1565c0',
  server: '#6b7280',
};

/** What a proctor reads of one event: its kind in words and what it carries. */
export interface EventText {
  /** E.g. "Screen blank", "Flag", "Left full screen". */
  readonly kind: string;
  /** E.g. "held 2.0 s, luma 3", the text of a flag; '' when there is nothing to say. */
  readonly detail: string;
}

const KIND_LABELS: Readonly<Record<StreamEventSource, Readonly<Record<string, string>>>> = {
  server: {
    connect: 'Sentinel connected',
    disconnect: 'Sentinel disconnected',
    'set-fps': 'Frame rate set',
    keyframe: 'Keyframe requested',
    stop: 'Stream stopped',
    storage: 'Storage',
    gap: 'Gap announced',
    'events-dropped': 'Sentinel events dropped',
  },
  sentinel: {
    'capture-started': 'Screen sharing started',
    'capture-ended': 'Screen sharing ended',
    'capture-muted': 'Capture muted',
    'capture-unmuted': 'Capture unmuted',
    'screen-size-changed': 'Screen size changed',
    'screens-count': 'Screens attached',
    online: 'Kiosk online',
    offline: 'Kiosk offline',
    'page-hidden': 'Sentinel page hidden',
    'page-visible': 'Sentinel page visible',
    reload: 'Sentinel page reloaded',
    'encoder-fallback': 'Encoder fallback',
    'screen-blank': 'Screen blank',
    'screen-frozen': 'Screen unchanged',
  },
  'exam-app': {
    'left-fullscreen': 'Left full screen',
    'entered-fullscreen': 'Entered full screen',
    paste: 'Paste',
    copy: 'Copy',
    'page-hidden': 'Exam page hidden',
    'page-visible': 'Exam page visible',
    'window-blur': 'Exam window lost focus',
    'window-focus': 'Exam window focused',
    'new-window': 'New window opened',
    other: 'Exam app event',
  },
  proctor: { flag: 'Flag', note: 'Note' },
};

/** Detail fields that are bookkeeping, not news (the Sentinel's page id and event number). */
const HIDDEN_DETAIL = new Set(['page', 'seq']);

/** The event in words. */
export function describeEvent(e: StreamEventView): EventText {
  const d = e.detail ?? {};
  const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
  const num = (k: string) => (typeof d[k] === 'number' && Number.isFinite(d[k]) ? (d[k] as number) : null);
  let kind = KIND_LABELS[e.source]?.[e.type] ?? e.type;
  const parts: string[] = [];
  if (e.source === 'proctor' || e.source === 'exam-app') {
    parts.push(str('text'));
  } else if (e.type === 'screen-blank' || e.type === 'screen-frozen') {
    if (str('state') === 'end') kind = e.type === 'screen-blank' ? 'Screen no longer blank' : 'Screen changing again';
    const held = num('heldMs');
    if (held !== null) parts.push(`held ${formatDuration(held)}`);
    const luma = num('luma');
    if (luma !== null) parts.push(`luma ${Math.round(luma)}`);
  } else if (e.type === 'screen-size-changed' || e.type === 'capture-started') {
    const w = num('width');
    const h = num('height');
    if (w !== null && h !== null) parts.push(`${w}×${h}`);
    if (str('reason')) parts.push(str('reason'));
  } else if (e.type === 'screens-count') {
    const n = num('screens');
    parts.push(d['extended'] === true && n !== null && n <= 2 ? 'two or more' : n === null ? '' : String(n));
  } else if (e.source === 'server' && e.type === 'set-fps') {
    const fps = num('fps');
    if (fps !== null) parts.push(`${fps} fps`);
    if (str('reason')) parts.push(str('reason'));
  } else if (e.source === 'server' && e.type === 'gap') {
    const from = num('fromMs');
    const to = num('toMs');
    if (from !== null && to !== null) parts.push(`${formatClock(from, false)}–${formatClock(to, false)}`);
    if (str('reason')) parts.push(str('reason'));
  } else if (e.source === 'server' && e.type === 'storage') {
    parts.push(str('state'), str('error'));
  } else if (e.source === 'server' && e.type === 'events-dropped') {
    const n = num('count');
    if (n !== null) parts.push(`${n} over the limit`);
  } else {
    // anything else: its fields as "key value", short
    for (const [k, v] of Object.entries(d)) {
      if (HIDDEN_DETAIL.has(k) || v === null || v === undefined || typeof v === 'object') continue;
      parts.push(typeof v === 'boolean' ? (v ? k : '') : `${k} ${String(v)}`);
    }
  }
  const detail = parts.filter((p) => p !== '').join(', ');
  return { kind, detail: detail.length > 200 ? `${detail.slice(0, 199)}…` : detail };
}

/** One line for tooltips: "14:02:33 Sentinel · Screen blank (held 2.0 s) — by x@y". */
export function eventSummary(e: StreamEventView): string {
  const t = describeEvent(e);
  return `${formatClock(e.atMs, false)} ${sourceLabel(e.source)} · ${t.kind}${t.detail ? ` (${t.detail})` : ''}${e.by ? ` — ${e.by}` : ''}`;
}

/** A stable identity of an event (the server has no ids): equal for the same stored line. */
export function eventKey(e: StreamEventView): string {
  return `${e.atMs}|${e.source}|${e.type}|${e.by ?? ''}|${e.receivedAtMs ?? ''}|${e.source === 'sentinel' ? `${String(e.detail?.['page'] ?? '')}/${String(e.detail?.['seq'] ?? '')}` : ''}`;
}

/** The events whose source is shown, in order. */
export function filterEvents(events: readonly StreamEventView[], shown: ReadonlySet<StreamEventSource>): StreamEventView[] {
  return events.filter((e) => shown.has(e.source));
}

/** How many events each source has. */
export function countBySource(events: readonly StreamEventView[]): Record<StreamEventSource, number> {
  const out: Record<StreamEventSource, number> = { proctor: 0, 'exam-app': 0, sentinel: 0, server: 0 };
  for (const e of events) if (e.source in out) out[e.source]++;
  return out;
}

/** The shown set with `source` switched on or off. */
export function toggleSource(shown: ReadonlySet<StreamEventSource>, source: StreamEventSource): Set<StreamEventSource> {
  const next = new Set(shown);
  if (next.has(source)) next.delete(source);
  else next.add(source);
  return next;
}

/** The index of the last event at or before `ms` (events oldest first), -1 when none. */
export function lastEventAtOrBefore(events: readonly StreamEventView[], ms: number): number {
  let lo = 0;
  let hi = events.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (events[mid]!.atMs <= ms) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

// ---------------------------------------------------------------------------
// Markers

/** One marker on the timeline: an event, or events too close to tell apart, of one source. */
export interface EventMarker {
  /** The first event's time, ms (a click goes there). */
  readonly atMs: number;
  /** Percent of the bar. */
  readonly left: number;
  readonly source: StreamEventSource;
  /** Lane, from 0 (the order of {@link EVENT_SOURCES} among the lanes shown). */
  readonly lane: number;
  readonly events: readonly StreamEventView[];
  /** Tooltip: one line per event (at most {@link MARKER_TOOLTIP_LINES}, then "… and N more"). */
  readonly label: string;
  /** A proctor's flag or note among them (drawn more prominently). */
  readonly flag: boolean;
}

/** Lines of a marker's tooltip before "… and N more". */
export const MARKER_TOOLTIP_LINES = 8;

/**
 * Lays the events out on the bar of `span`: one lane per source that has events (in the order
 * of {@link EVENT_SOURCES}); within a lane, events less than `minGapPercent` of the bar after
 * the first of a marker join that marker. Events outside the span sit at its edge.
 * @param events oldest first (as the API answers)
 */
export function layoutMarkers(events: readonly StreamEventView[], span: Span, minGapPercent = 0.6): { lanes: StreamEventSource[]; markers: EventMarker[] } {
  const bySource = new Map<StreamEventSource, StreamEventView[]>();
  for (const e of events) {
    const list = bySource.get(e.source);
    if (list) list.push(e);
    else bySource.set(e.source, [e]);
  }
  const lanes = EVENT_SOURCES.filter((s) => bySource.has(s));
  const markers: EventMarker[] = [];
  lanes.forEach((source, lane) => {
    const list = [...bySource.get(source)!].sort((a, b) => a.atMs - b.atMs);
    let group: StreamEventView[] = [];
    let groupLeft = 0;
    const flush = () => {
      if (group.length === 0) return;
      const shown = group.slice(0, MARKER_TOOLTIP_LINES).map(eventSummary);
      if (group.length > MARKER_TOOLTIP_LINES) shown.push(`… and ${group.length - MARKER_TOOLTIP_LINES} more`);
      markers.push({
        atMs: group[0]!.atMs,
        left: groupLeft,
        source,
        lane,
        events: group,
        label: shown.join('\n'),
        flag: group.some((e) => e.source === 'proctor'),
      });
      group = [];
    };
    for (const e of list) {
      const left = percentAt(e.atMs, span);
      if (group.length > 0 && left - groupLeft >= minGapPercent) flush();
      if (group.length === 0) groupLeft = left;
      group.push(e);
    }
    flush();
  });
  return { lanes, markers };
}

// ---------------------------------------------------------------------------
// Fetching while the recording grows

/** What was fetched of the track so far. */
export interface EventsCoverage {
  /** The range the events known cover, ms. */
  readonly fromMs: number;
  readonly toMs: number;
  /** When the whole range was last fetched, and the newest part, `Date.now()` ms. */
  readonly fullAtMs: number;
  readonly tailAtMs: number;
  /** The recording was live at the last fetch. */
  readonly live: boolean;
}

/** A fetch to make: `GET …/events?from=&to=`; `full`: the whole visible range. */
export interface EventsFetch {
  readonly fromMs: number;
  readonly toMs: number;
  readonly full: boolean;
}

/** Timing of {@link planEventsFetch}, ms. */
export interface EventsFetchPolicy {
  /** Events this far outside the recorded span are fetched too (connect, capture-started before the first frame). */
  readonly marginMs: number;
  /** While live: the newest part is fetched again this often (the player polls the index as often). */
  readonly pollMs: number;
  /** … from this far back (events arrive late: an exam application's up to 10 min, a Sentinel's after a reconnect). */
  readonly lookbackMs: number;
  /** While live: the whole range this often (another proctor's flag on an old moment, Sentinel events resent late). */
  readonly fullMs: number;
  /** While live: up to this far past now (an exam application's clock may be a minute ahead). */
  readonly aheadMs: number;
}

export const DEFAULT_EVENTS_POLICY: EventsFetchPolicy = {
  marginMs: 60_000,
  pollMs: 3000,
  lookbackMs: 11 * 60_000,
  fullMs: 60_000,
  aheadMs: 60_000,
};

/**
 * The next fetch of the event track for the timeline's span, or null when what is known is
 * fresh enough: everything at first and when the recording stops being live; while live the
 * newest part every `pollMs` and everything every `fullMs`; the part the span grew by when not live.
 */
export function planEventsFetch(span: Span | null, live: boolean, known: EventsCoverage | null, nowMs: number, policy: EventsFetchPolicy = DEFAULT_EVENTS_POLICY): EventsFetch | null {
  if (!span) return null;
  const fromMs = Math.floor(span.fromMs - policy.marginMs);
  const toMs = Math.ceil(live ? Math.max(span.toMs, nowMs) + policy.aheadMs : span.toMs + policy.marginMs);
  const full: EventsFetch = { fromMs, toMs, full: true };
  if (!known || fromMs < known.fromMs || (known.live && !live)) return full;
  if (live) {
    if (nowMs - known.fullAtMs >= policy.fullMs) return full;
    if (nowMs - known.tailAtMs >= policy.pollMs) return { fromMs: Math.max(fromMs, known.toMs - policy.lookbackMs), toMs, full: false };
    return null;
  }
  if (toMs > known.toMs) return { fromMs: Math.max(fromMs, known.toMs - policy.lookbackMs), toMs, full: false };
  return null;
}

/** The coverage after `fetch` was answered at `nowMs` (`coveredToMs`: less than asked when the answer was truncated). */
export function coverageAfter(known: EventsCoverage | null, fetch: EventsFetch, coveredToMs: number, live: boolean, nowMs: number): EventsCoverage {
  if (fetch.full || !known) return { fromMs: fetch.fromMs, toMs: coveredToMs, fullAtMs: nowMs, tailAtMs: nowMs, live };
  return { fromMs: Math.min(known.fromMs, fetch.fromMs), toMs: Math.max(known.toMs, coveredToMs), fullAtMs: known.fullAtMs, tailAtMs: nowMs, live };
}

/**
 * The known events with `[fromMs, toMs]` replaced by an answer for that range (the answer is
 * the truth for its range), oldest first. A truncated answer covers up to its last event only:
 * pass that as `toMs`, and leave out of `answer` nothing (events after it are kept from before).
 */
export function replaceRange(known: readonly StreamEventView[], fromMs: number, toMs: number, answer: readonly StreamEventView[]): StreamEventView[] {
  const kept = known.filter((e) => e.atMs < fromMs || e.atMs > toMs);
  const keys = new Set(answer.map(eventKey));
  const merged = [...kept.filter((e) => !keys.has(eventKey(e))), ...answer];
  return merged.sort((a, b) => a.atMs - b.atMs);
}

/**
 * What the page shows: the fetched events, plus the proctor's own that are not in them yet
 * (posted, or still being posted: shown at once, before the next fetch has them), oldest first.
 */
export function withLocal(fetched: readonly StreamEventView[], local: readonly StreamEventView[]): StreamEventView[] {
  if (local.length === 0) return [...fetched];
  const keys = new Set(fetched.map(eventKey));
  const extra = local.filter((e) => !keys.has(eventKey(e)));
  return extra.length === 0 ? [...fetched] : [...fetched, ...extra].sort((a, b) => a.atMs - b.atMs);
}

/** The local events not yet in `fetched` (those it has are dropped). */
export function pendingLocal(fetched: readonly StreamEventView[], local: readonly StreamEventView[]): StreamEventView[] {
  const keys = new Set(fetched.map(eventKey));
  return local.filter((e) => !keys.has(eventKey(e)));
}
