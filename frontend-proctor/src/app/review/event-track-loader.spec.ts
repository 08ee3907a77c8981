import type { StreamEventView, StreamEventsView } from '@vigil/api';
import { T0 } from '../../testing/recording-fixtures';
import { DEFAULT_EVENTS_POLICY } from './event-track';
import { EventTrackLoader, isPending, type EventTrackState } from './event-track-loader';
import { pendingEvent } from './proctor-flags';

const flush = () => new Promise((r) => setTimeout(r, 0));

describe('EventTrackLoader', () => {
  const span = { fromMs: T0, toMs: T0 + 60_000 };
  let track: StreamEventView[];
  let calls: [number, number][];
  let states: EventTrackState[];
  let loader: EventTrackLoader;

  beforeEach(() => {
    track = [{ atMs: T0 + 1000, source: 'sentinel', type: 'capture-started', detail: { page: 'p', seq: 1 } }];
    calls = [];
    states = [];
    loader = new EventTrackLoader(
      async (fromMs, toMs): Promise<StreamEventsView> => {
        calls.push([fromMs, toMs]);
        return { streamId: 's', fromMs, toMs, events: track.filter((e) => e.atMs >= fromMs && e.atMs <= toMs), truncated: false };
      },
      (s) => states.push(s),
    );
  });

  it('fetches the span once, one fetch at a time, and polls the newest part while live', async () => {
    const now = T0 + 60_000;
    loader.update(span, true, now);
    loader.update(span, true, now); // in flight: no second fetch
    await flush();
    expect(calls).toHaveLength(1);
    expect(states.at(-1)!.events.map((e) => e.type)).toEqual(['capture-started']);
    track.push({ atMs: T0 + 59_000, source: 'exam-app', type: 'paste', detail: {}, receivedAtMs: T0 + 59_100 });
    loader.update(span, true, now + 1000); // not due yet
    await flush();
    expect(calls).toHaveLength(1);
    loader.update(span, true, now + DEFAULT_EVENTS_POLICY.pollMs);
    await flush();
    expect(calls).toHaveLength(2);
    expect(states.at(-1)!.events.map((e) => e.type)).toEqual(['capture-started', 'paste']);
  });

  it('shows a flag at once, the stored one after the POST, and a fetch that has it does not double it', async () => {
    loader.update(span, false, T0 + 60_000);
    await flush();
    const pending = pendingEvent({ atMs: T0 + 30_000, kind: 'flag', text: '' }, 'p@x');
    loader.addLocal(pending);
    expect(states.at(-1)!.events.map((e) => [e.type, isPending(e)])).toEqual([
      ['capture-started', false],
      ['flag', true],
    ]);
    const stored: StreamEventView = { atMs: T0 + 30_000, source: 'proctor', type: 'flag', detail: { text: '' }, by: 'p@x', receivedAtMs: T0 + 61_000 };
    loader.replaceLocal(pending, stored);
    expect(loader.events.filter((e) => e.type === 'flag')).toEqual([stored]);
    // the recording grows: the next fetch has the stored flag too
    track.push(stored);
    loader.update({ fromMs: T0, toMs: T0 + 120_000 }, false, T0 + 120_000);
    await flush();
    expect(calls).toHaveLength(2);
    expect(loader.events.filter((e) => e.type === 'flag')).toHaveLength(1);
  });

  it('takes a refused flag off again, and backs off after a failed fetch', async () => {
    const failing = new EventTrackLoader(
      () => Promise.reject(new Error('502 Bad Gateway')),
      (s) => states.push(s),
    );
    failing.update(span, false, T0);
    await flush();
    expect(states.at(-1)!.error).toBe('502 Bad Gateway');
    const pending = pendingEvent({ atMs: T0 + 5, kind: 'note', text: 'a' }, undefined);
    failing.addLocal(pending);
    failing.replaceLocal(pending, null);
    expect(failing.events).toEqual([]);
  });
});
