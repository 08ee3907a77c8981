import type { StreamEventSource, StreamEventView } from '@vigil/api';
import { T0 } from '../../testing/recording-fixtures';
import {
  DEFAULT_EVENTS_POLICY,
  EVENT_SOURCES,
  MARKER_TOOLTIP_LINES,
  countBySource,
  coverageAfter,
  describeEvent,
  eventKey,
  eventSummary,
  filterEvents,
  lastEventAtOrBefore,
  layoutMarkers,
  pendingLocal,
  planEventsFetch,
  replaceRange,
  toggleSource,
  withLocal,
  type EventsCoverage,
} from './event-track';

const ev = (s: number, source: StreamEventSource, type: string, detail: Record<string, unknown> = {}, extra: Partial<StreamEventView> = {}): StreamEventView => ({
  atMs: T0 + s * 1000,
  source,
  type,
  detail,
  ...extra,
});

describe('describeEvent', () => {
  it('names the kind in words and says what the event carries', () => {
    expect(describeEvent(ev(0, 'proctor', 'flag', { text: 'phone under the desk' }, { by: 'p@x' }))).toEqual({ kind: 'Flag', detail: 'phone under the desk' });
    expect(describeEvent(ev(0, 'exam-app', 'paste', { text: 'pasted 312 characters' }))).toEqual({ kind: 'Paste', detail: 'pasted 312 characters' });
    expect(describeEvent(ev(0, 'sentinel', 'screen-blank', { state: 'start', heldMs: 2000, luma: 3.4, page: 'p1', seq: 4 }))).toEqual({ kind: 'Screen blank', detail: 'held 2.0 s, luma 3' });
    expect(describeEvent(ev(0, 'sentinel', 'screen-blank', { state: 'end', heldMs: 12_000 })).kind).toBe('Screen no longer blank');
    expect(describeEvent(ev(0, 'sentinel', 'screen-size-changed', { width: 1280, height: 720 })).detail).toBe('1280×720');
    expect(describeEvent(ev(0, 'sentinel', 'screens-count', { screens: 2, extended: true })).detail).toBe('two or more');
    expect(describeEvent(ev(0, 'server', 'set-fps', { fps: 5, reason: 'viewer' }))).toEqual({ kind: 'Frame rate set', detail: '5 fps, viewer' });
    expect(describeEvent(ev(0, 'server', 'connect', { resumed: false, encoder: 'webcodecs' }))).toEqual({ kind: 'Sentinel connected', detail: 'encoder webcodecs' });
  });

  it('shows unknown kinds as they are, without the bookkeeping fields, and cuts long details', () => {
    expect(describeEvent(ev(0, 'sentinel', 'new-kind', { page: 'p', seq: 1, foo: 'bar', n: 3 }))).toEqual({ kind: 'new-kind', detail: 'foo bar, n 3' });
    expect(describeEvent(ev(0, 'proctor', 'note', { text: 'x'.repeat(500) })).detail).toHaveLength(200);
  });

  it('summarises an event in one line with time, source and who', () => {
    expect(eventSummary(ev(0, 'proctor', 'note', { text: 'looks away' }, { by: 'p@x' }))).toMatch(/^\d\d:\d\d:\d\d Proctor · Note \(looks away\) — p@x$/);
  });
});

describe('filtering', () => {
  const events = [ev(1, 'server', 'connect'), ev(2, 'sentinel', 'capture-started'), ev(3, 'proctor', 'flag'), ev(4, 'sentinel', 'online')];

  it('keeps the shown sources in order and counts every source', () => {
    expect(filterEvents(events, new Set<StreamEventSource>(['sentinel'])).map((e) => e.type)).toEqual(['capture-started', 'online']);
    expect(filterEvents(events, new Set(EVENT_SOURCES))).toHaveLength(4);
    expect(countBySource(events)).toEqual({ proctor: 1, 'exam-app': 0, sentinel: 2, server: 1 });
  });

  it('toggles a source without touching the set it got', () => {
    const all = new Set(EVENT_SOURCES);
    const noServer = toggleSource(all, 'server');
    expect(noServer.has('server')).toBe(false);
    expect(all.has('server')).toBe(true);
    expect(toggleSource(noServer, 'server').has('server')).toBe(true);
  });

  it('finds the last event at or before a moment', () => {
    expect(lastEventAtOrBefore(events, T0)).toBe(-1);
    expect(lastEventAtOrBefore(events, T0 + 2000)).toBe(1);
    expect(lastEventAtOrBefore(events, T0 + 2500)).toBe(1);
    expect(lastEventAtOrBefore(events, T0 + 99_000)).toBe(3);
  });
});

describe('layoutMarkers', () => {
  const span = { fromMs: T0, toMs: T0 + 100_000 };

  it('puts each event at its time, one lane per source with events, in the fixed order', () => {
    const { lanes, markers } = layoutMarkers([ev(10, 'server', 'connect'), ev(50, 'proctor', 'flag', { text: 'x' }), ev(75, 'sentinel', 'offline')], span);
    expect(lanes).toEqual(['proctor', 'sentinel', 'server']);
    expect(markers.map((m) => [m.source, m.lane, m.left, m.events.length, m.flag])).toEqual([
      ['proctor', 0, 50, 1, true],
      ['sentinel', 1, 75, 1, false],
      ['server', 2, 10, 1, false],
    ]);
    expect(markers[0]!.atMs).toBe(T0 + 50_000);
    expect(markers[0]!.label).toMatch(/Proctor · Flag \(x\)$/);
  });

  it('joins events of a source closer than the minimum gap into one marker at the first', () => {
    const { markers } = layoutMarkers([ev(10, 'sentinel', 'offline'), ev(10.3, 'sentinel', 'online'), ev(10.5, 'sentinel', 'page-hidden'), ev(11, 'sentinel', 'page-visible'), ev(10.2, 'server', 'keyframe')], span, 0.6);
    const sentinel = markers.filter((m) => m.source === 'sentinel');
    expect(sentinel.map((m) => [m.left, m.events.length])).toEqual([
      [10, 3],
      [11, 1],
    ]);
    expect(sentinel[0]!.label.split('\n')).toHaveLength(3);
    expect(markers.filter((m) => m.source === 'server')).toHaveLength(1); // other sources are laid out apart
  });

  it('caps a marker tooltip and puts events outside the span at its edges', () => {
    const many = Array.from({ length: 12 }, (_, i) => ev(20 + i * 0.01, 'server', 'keyframe'));
    const { markers } = layoutMarkers([ev(-30, 'sentinel', 'capture-started'), ...many, ev(130, 'proctor', 'note')], span);
    const server = markers.find((m) => m.source === 'server')!;
    expect(server.events).toHaveLength(12);
    expect(server.label.split('\n')).toHaveLength(MARKER_TOOLTIP_LINES + 1);
    expect(server.label).toMatch(/… and 4 more$/);
    expect(markers.find((m) => m.source === 'sentinel')!.left).toBe(0);
    expect(markers.find((m) => m.source === 'proctor')!.left).toBe(100);
  });

  it('has nothing to lay out without events', () => {
    expect(layoutMarkers([], span)).toEqual({ lanes: [], markers: [] });
  });
});

describe('planEventsFetch', () => {
  const p = DEFAULT_EVENTS_POLICY;
  const span = { fromMs: T0, toMs: T0 + 60_000 };
  const now = T0 + 60_000;

  it('fetches nothing before there is a span, then the whole span with a margin', () => {
    expect(planEventsFetch(null, true, null, now)).toBeNull();
    expect(planEventsFetch(span, false, null, now)).toEqual({ fromMs: T0 - p.marginMs, toMs: T0 + 60_000 + p.marginMs, full: true });
    expect(planEventsFetch(span, true, null, now)).toEqual({ fromMs: T0 - p.marginMs, toMs: now + p.aheadMs, full: true });
  });

  it('while live: the newest part every poll (with a look-back), everything every fullMs', () => {
    const first = planEventsFetch(span, true, null, now)!;
    const known = coverageAfter(null, first, first.toMs, true, now);
    expect(planEventsFetch(span, true, known, now + 1000)).toBeNull();
    const tail = planEventsFetch(span, true, known, now + p.pollMs)!;
    expect(tail.full).toBe(false);
    expect(tail.fromMs).toBe(Math.max(first.fromMs, first.toMs - p.lookbackMs));
    expect(tail.toMs).toBe(now + p.pollMs + p.aheadMs);
    const after = coverageAfter(known, tail, tail.toMs, true, now + p.pollMs);
    expect(after).toMatchObject({ fromMs: first.fromMs, toMs: tail.toMs, fullAtMs: now, tailAtMs: now + p.pollMs });
    expect(planEventsFetch(span, true, after, now + p.fullMs)!.full).toBe(true);
  });

  it('everything again once the recording ended, then only what the span grew by', () => {
    const known: EventsCoverage = { fromMs: T0 - p.marginMs, toMs: now + p.aheadMs, fullAtMs: now, tailAtMs: now, live: true };
    expect(planEventsFetch(span, false, known, now + 500)!.full).toBe(true);
    const ended = { ...known, toMs: span.toMs + p.marginMs, live: false };
    expect(planEventsFetch(span, false, ended, now + 10_000)).toBeNull();
    const grown = planEventsFetch({ fromMs: T0, toMs: T0 + 90_000 }, false, ended, now + 10_000)!;
    expect(grown).toEqual({ fromMs: T0 - p.marginMs, toMs: T0 + 90_000 + p.marginMs, full: false });
    // an earlier start than known: everything
    expect(planEventsFetch({ fromMs: T0 - 120_000, toMs: span.toMs }, false, ended, now)!.full).toBe(true);
  });
});

describe('merging answers and local events', () => {
  const a = ev(1, 'server', 'connect');
  const b = ev(5, 'sentinel', 'capture-started', { page: 'p', seq: 1 });
  const c = ev(9, 'sentinel', 'online', { page: 'p', seq: 2 });

  it('replaces the answered range and keeps the rest, oldest first', () => {
    const late = ev(4, 'exam-app', 'paste', {}, { receivedAtMs: T0 + 9000 });
    expect(replaceRange([a, b, c], T0 + 3000, T0 + 10_000, [late, b, c]).map((e) => e.type)).toEqual(['connect', 'paste', 'capture-started', 'online']);
    expect(replaceRange([a, b], T0 + 4000, T0 + 10_000, [b, c])).toEqual([a, b, c]);
  });

  it('tells events apart by content (no ids): the same stored line is the same event', () => {
    expect(eventKey(b)).toBe(eventKey({ ...b, detail: { ...b.detail } }));
    expect(eventKey(b)).not.toBe(eventKey(c));
    const flag = ev(3, 'proctor', 'flag', { text: '' }, { by: 'p@x', receivedAtMs: T0 + 20_000 });
    expect(eventKey(flag)).not.toBe(eventKey({ ...flag, receivedAtMs: T0 + 20_001 }));
  });

  it('shows a posted flag at once and drops it from the local ones once a fetch has it', () => {
    const flag = ev(3, 'proctor', 'flag', { text: '' }, { by: 'p@x', receivedAtMs: T0 + 20_000 });
    expect(withLocal([a, b], [flag]).map((e) => e.type)).toEqual(['connect', 'flag', 'capture-started']);
    expect(pendingLocal([a, b], [flag])).toEqual([flag]);
    expect(pendingLocal([a, flag, b], [flag])).toEqual([]);
    expect(withLocal([a, flag, b], [flag])).toEqual([a, flag, b]);
  });
});
