import { parse } from 'csv-parse/sync';
import type { AlertView, StreamEventView } from '@vigil/api';
import type { EventMessage } from '@vigil/protocol';
import { alertConditions, type AlertInput } from '../alerts/alert-rules';
import { eventLine, eventsInRange, parseEventLines, toEventView } from './event-track';
import { incidentOfAlert, incidentOfEvent, incidentsCsv, safeCell } from './incidents-csv';
import { SentinelConditionTracker } from './sentinel-conditions';
import { KeyedRateLimiter, TokenBucket } from './token-bucket';

const T = 1_764_000_000_000;

describe('TokenBucket', () => {
  it('lets a burst through, then the refill rate, and never saves up more than the burst', () => {
    const bucket = new TokenBucket(60, 3); // one a second, three at once
    expect([bucket.take(T), bucket.take(T), bucket.take(T), bucket.take(T)]).toEqual([true, true, true, false]);
    expect(bucket.take(T + 500)).toBe(false);
    expect(bucket.take(T + 1000)).toBe(true);
    expect(bucket.take(T + 1000)).toBe(false);
    // an hour later: still only three
    expect([bucket.take(T + 3_600_000), bucket.take(T + 3_600_000), bucket.take(T + 3_600_000), bucket.take(T + 3_600_000)]).toEqual([true, true, true, false]);
  });

  it('gains nothing from a clock going back, and refuses nonsense rates', () => {
    const bucket = new TokenBucket(60, 1);
    expect(bucket.take(T)).toBe(true);
    expect(bucket.take(T - 60_000)).toBe(false);
    expect(() => new TokenBucket(0)).toThrow(RangeError);
    expect(() => new TokenBucket(10, 0)).toThrow(RangeError);
  });

  it('keyed: one bucket per key, at most maxKeys kept (least recently used forgotten)', () => {
    const limiter = new KeyedRateLimiter(60, 1, 2);
    expect(limiter.take('a', T)).toBe(true);
    expect(limiter.take('a', T)).toBe(false);
    expect(limiter.take('b', T)).toBe(true); // another key is not affected
    for (let i = 0; i < 1000; i++) limiter.take(`flood-${i}`, T);
    expect(limiter.size).toBe(2);
  });
});

const event = (over: Partial<EventMessage> & Pick<EventMessage, 'kind'>): EventMessage => ({ type: 'event', page: 'p1', seq: 1, atMs: T, ...over }) as EventMessage;

describe('SentinelConditionTracker', () => {
  it('capture off from ended or muted until started or unmuted', () => {
    const t = new SentinelConditionTracker();
    t.apply(event({ kind: 'capture-muted' }), T);
    expect(t.conditions.capture).toEqual({ state: 'muted', sinceMs: T });
    t.apply(event({ kind: 'capture-ended' }), T + 1000);
    t.apply(event({ kind: 'capture-unmuted' }), T + 2000); // an ended capture stays ended
    expect(t.conditions.capture).toEqual({ state: 'ended', sinceMs: T + 1000 });
    t.apply(event({ kind: 'capture-started' }), T + 3000);
    expect(t.conditions.capture).toBeNull();
  });

  it('blank and frozen start heldMs before they arrived, end with state end, and a new page forgets them', () => {
    const t = new SentinelConditionTracker();
    t.apply(event({ kind: 'screen-blank', detail: { state: 'start', heldMs: 2000, luma: 0 } }), T);
    t.apply(event({ kind: 'screen-frozen', detail: { state: 'start', heldMs: 30_000 } }), T);
    expect(t.conditions.blank).toEqual({ sinceMs: T - 2000, luma: 0 });
    expect(t.conditions.frozen).toEqual({ sinceMs: T - 30_000 });
    t.apply(event({ kind: 'screen-blank', detail: { state: 'start', heldMs: 0, luma: 1 } }), T + 5000); // repeated start keeps the first
    expect(t.conditions.blank!.sinceMs).toBe(T - 2000);
    t.apply(event({ kind: 'screen-blank', detail: { state: 'end' } }), T + 6000);
    expect(t.conditions.blank).toBeNull();
    t.apply(event({ kind: 'reload', page: 'p2' }), T + 7000);
    expect(t.conditions.frozen).toBeNull();
  });

  it('a screen size change, or another number of screens, is a screen change', () => {
    const t = new SentinelConditionTracker();
    t.apply(event({ kind: 'screens-count', detail: { screens: 1, extended: false } }), T);
    expect(t.conditions.screenChange).toBeNull(); // one screen at first: nothing to say
    t.apply(event({ kind: 'screens-count', detail: { screens: 2, extended: true } }), T + 1000);
    expect(t.conditions.screenChange).toEqual({ atMs: T + 1000, detail: 'two or more screens attached now (was 1)' });
    t.apply(event({ kind: 'screen-size-changed', detail: { width: 1280, height: 720 } }), T + 2000);
    expect(t.conditions.screenChange).toEqual({ atMs: T + 2000, detail: 'the screen size changed to 1280x720' });
  });
});

describe('alert rules from Sentinel conditions', () => {
  const live = (sentinel: AlertInput['sentinel'], over: Partial<AlertInput> = {}): AlertInput => ({
    streamId: 's', examId: 'e', seatId: 'seat', state: 'live', lastSeenAtMs: T, storage: 'ok', fragmentAgeMinMs: 100, fragmentAgeMaxMs: 200, sentinel, ...over,
  });
  const none = { capture: null, blank: null, frozen: null, screenChange: null };

  it('raises blank after blankAfterMs counted from its start, not before', () => {
    const s = live({ ...none, blank: { sinceMs: T - 2000, luma: 0 } });
    expect(alertConditions([s], T + 7_900)).toEqual([]);
    const [c] = alertConditions([s], T + 8_000);
    expect(c).toMatchObject({ kind: 'screen-blank', detail: 'the screen has been blank (black) for 10 s' });
  });

  it('capture stopped after 5 s, frozen after its threshold (not while blank), screen change for a minute', () => {
    const kinds = (c: AlertInput['sentinel'], at: number) => alertConditions([live(c)], at).map((a) => a.kind);
    expect(kinds({ ...none, capture: { state: 'ended', sinceMs: T } }, T + 4000)).toEqual([]);
    expect(kinds({ ...none, capture: { state: 'ended', sinceMs: T } }, T + 5000)).toEqual(['capture-stopped']);
    expect(kinds({ ...none, frozen: { sinceMs: T } }, T + 119_000)).toEqual([]);
    expect(kinds({ ...none, frozen: { sinceMs: T } }, T + 120_000)).toEqual(['screen-frozen']);
    expect(kinds({ ...none, frozen: { sinceMs: T }, blank: { sinceMs: T, luma: 128 } }, T + 120_000)).toEqual(['screen-blank']);
    expect(kinds({ ...none, screenChange: { atMs: T, detail: 'd' } }, T + 59_000)).toEqual(['screen-changed']);
    expect(kinds({ ...none, screenChange: { atMs: T, detail: 'd' } }, T + 60_000)).toEqual([]);
    // not while the Sentinel is away: the disconnected alert speaks for it
    expect(alertConditions([live({ ...none, blank: { sinceMs: T, luma: 0 } }, { state: 'disconnected' })], T + 20_000).map((a) => a.kind)).toEqual([]);
  });
});

describe('event track lines', () => {
  it('writes envelope and details flat, reads them back, old lines without source are the server’s', () => {
    const line = eventLine({ atMs: T, source: 'sentinel', type: 'screen-blank', receivedAtMs: T + 5, detail: { state: 'start', page: 'p', seq: 3 } });
    expect(JSON.parse(line)).toEqual({ atMs: T, source: 'sentinel', type: 'screen-blank', receivedAtMs: T + 5, state: 'start', page: 'p', seq: 3 });
    // details cannot overwrite the envelope
    expect(JSON.parse(eventLine({ atMs: T, source: 'proctor', type: 'flag', detail: { source: 'server', atMs: 0 } }))).toMatchObject({ atMs: T, source: 'proctor' });
    const text = [line, '{"atMs":5,"type":"connect","resumed":false}', 'not json', '{"atMs":"x","type":"y"}', '{"atMs":1,"type":"z","source":"martian"}', '[1]', ''].join('\n');
    expect(parseEventLines(text)).toEqual([
      { atMs: T, source: 'sentinel', type: 'screen-blank', receivedAtMs: T + 5, detail: { state: 'start', page: 'p', seq: 3 } },
      { atMs: 5, source: 'server', type: 'connect', detail: { resumed: false } },
    ]);
    expect(toEventView({ atMs: 1, type: 'flag', source: 'proctor', by: 'p@x', text: 'hm' })).toEqual({ atMs: 1, source: 'proctor', type: 'flag', by: 'p@x', detail: { text: 'hm' } });
  });

  it('a range, oldest first, with a limit', () => {
    const ev = (atMs: number): StreamEventView => ({ atMs, source: 'server', type: String(atMs), detail: {} });
    const all = [ev(30), ev(10), ev(20), ev(40)];
    expect(eventsInRange(all, 10, 30, 10)).toEqual({ events: [ev(10), ev(20), ev(30)], truncated: false });
    expect(eventsInRange(all, 0, 100, 2)).toEqual({ events: [ev(10), ev(20)], truncated: true });
  });
});

describe('incidents CSV', () => {
  it('flags, notes and alerts as rows, oldest first, review links, formulas defused', () => {
    const flag: StreamEventView = { atMs: T + 1000, source: 'proctor', type: 'flag', by: 'p@vigil.test', detail: { text: '=HYPERLINK("http://evil")' } };
    const alert: AlertView = {
      id: 1, kind: 'screen-blank', streamId: 's-1', examId: 'e', seatId: 'seat-1', detail: 'the screen has been blank for 10 s',
      raisedAtMs: T, clearedAtMs: T + 5000, ack: { by: 'q@vigil.test', atMs: T + 6000, note: 'student, "rebooting"' },
    };
    const csv = incidentsCsv([incidentOfEvent('s-1', 'seat-1', flag), incidentOfAlert(alert)], new Map([['seat-1', { studentId: '@s42', displayName: 'Ann, B.' }]]), 'https://vigil.example');
    const rows = parse(csv, { columns: true }) as Record<string, string>[];
    expect(rows).toEqual([
      {
        time: new Date(T).toISOString(), seat: "'@s42", name: 'Ann, B.', kind: 'alert:screen-blank', who: 'q@vigil.test',
        text: 'the screen has been blank for 10 s — acknowledged: student, "rebooting"', cleared: new Date(T + 5000).toISOString(),
        streamId: 's-1', review: `https://vigil.example/recordings/s-1?at=${T}`,
      },
      {
        time: new Date(T + 1000).toISOString(), seat: "'@s42", name: 'Ann, B.', kind: 'flag', who: 'p@vigil.test',
        text: `'=HYPERLINK("http://evil")`, cleared: '', streamId: 's-1', review: `https://vigil.example/recordings/s-1?at=${T + 1000}`,
      },
    ]);
    expect(['=1', '+1', '-1', '@x', '\tx', 'ok'].map(safeCell)).toEqual(["'=1", "'+1", "'-1", "'@x", "'\tx", 'ok']);
  });
});
