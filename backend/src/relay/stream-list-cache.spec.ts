import { Observable, Subject } from 'rxjs';
import { MAX_SERVER_TEXT_MESSAGE_BYTES, encodeControl } from '@vigil/protocol';
import { BufferBudget } from './buffer-budget';
import { LiveStream } from './live-stream';
import { StreamListCache, streamsMessageText } from './stream-list-cache';
import { streamMessages, toUnits } from '../testing/media-fixtures';
import { testRegistryOptions } from '../testing/registry-options';

describe('StreamListCache', () => {
  const budget = new BufferBudget(1 << 30);
  const noDisk = { write: async () => undefined, writeGap: async () => undefined };

  function liveStream(i: number, fed = true): LiveStream {
    const stream = new LiveStream(
      { streamId: `s-${i}`, examId: 'exam-1', seatId: `seat-${i}`, encoder: 'webcodecs', userAgent: 'jest', startedAtMs: 1_764_000_000_000 + i },
      i + 1,
      testRegistryOptions(),
      noDisk,
      budget,
    );
    if (fed) for (const u of toUnits(streamMessages(4, 2), stream.channel)) stream.ingest(u);
    return stream;
  }

  function source(streams: LiveStream[]) {
    const changed = new Subject<void>();
    let lists = 0;
    return {
      changed,
      streams,
      get lists() {
        return lists;
      },
      changed$: changed.asObservable(),
      list: () => {
        lists++;
        return [...streams];
      },
    };
  }

  it('builds byte for byte the text encodeControl writes', () => {
    const streams = [liveStream(1), liveStream(2, false), liveStream(3)];
    const now = 1_764_000_010_000;
    const snapshot = new StreamListCache(source(streams)).snapshot(now);
    const expected = encodeControl({ type: 'streams', streams: streams.map((s) => s.summary(now)) });
    expect(snapshot.fullText()).toBe(expected);
    expect(streamsMessageText(snapshot.streams.slice(1).map((s) => s.json as string))).toBe(
      encodeControl({ type: 'streams', streams: streams.slice(1).map((s) => s.summary(now)) }),
    );
    expect(streamsMessageText([])).toBe(encodeControl({ type: 'streams', streams: [] }));
  });

  it('takes the summaries once while nothing changed and the snapshot is young; again after a change or with age', () => {
    const src = source([liveStream(1)]);
    const cache = new StreamListCache(src, 250);
    const first = cache.snapshot(1000);
    expect(cache.snapshot(1100)).toBe(first);
    expect(src.lists).toBe(1);
    src.streams.push(liveStream(2));
    src.changed.next();
    const second = cache.snapshot(1100);
    expect(second).not.toBe(first);
    expect(second.streams.map((s) => s.summary.streamId)).toEqual(['s-1', 's-2']);
    expect(cache.snapshot(1349)).toBe(second);
    expect(cache.snapshot(1350)).not.toBe(second); // too old: bitrate and byte counts move without a change signal
    expect(cache.snapshot(900)).not.toBe(second); // a clock that went back does not reuse a future snapshot
  });

  it('one cache per source, shared; the full text is built once per snapshot', () => {
    const src = source([liveStream(1)]);
    expect(StreamListCache.of(src)).toBe(StreamListCache.of(src));
    const snapshot = StreamListCache.of(src).snapshot(5000);
    expect(snapshot.fullText()).toBe(snapshot.fullText());
  });

  it('an invalid summary is marked (with the field) and left out of the full text', () => {
    const good = liveStream(1);
    const bad = liveStream(2);
    const real = bad.summary.bind(bad);
    jest.spyOn(bad, 'summary').mockImplementation((now) => ({ ...real(now), width: 5000 }));
    const snapshot = new StreamListCache(source([good, bad])).snapshot(2000);
    expect(snapshot.streams[1]).toMatchObject({ json: null, error: expect.stringContaining('width') });
    expect(JSON.parse(snapshot.fullText()).streams.map((s: { streamId: string }) => s.streamId)).toEqual(['s-1']);
  });

  it('a text over the server message limit is refused with RangeError', () => {
    const big = `"${'x'.repeat(MAX_SERVER_TEXT_MESSAGE_BYTES)}"`;
    expect(() => streamsMessageText([big])).toThrow(RangeError);
  });

  describe('listDue (one audit window for every session)', () => {
    beforeEach(() => jest.useFakeTimers());
    afterEach(() => jest.useRealTimers());

    it('a burst of changes costs one subscription to changed$ and one push per session per window', () => {
      const changed = new Subject<void>();
      let sourceSubscriptions = 0;
      const counted = new Observable<void>((subscriber) => {
        sourceSubscriptions++;
        return changed.subscribe(subscriber);
      });
      const cache = new StreamListCache({ list: () => [], changed$: counted });
      expect(sourceSubscriptions).toBe(1); // the snapshot version counter
      const pushes = Array.from({ length: 1000 }, () => 0);
      const subs = pushes.map((_, i) => cache.listDue(500).subscribe(() => pushes[i]!++));
      expect(sourceSubscriptions).toBe(2); // one shared audit, not one per session
      for (let i = 0; i < 1000; i++) changed.next(); // 1,000 viewer joins
      expect(pushes.every((n) => n === 0)).toBe(true);
      jest.advanceTimersByTime(500);
      expect(pushes.every((n) => n === 1)).toBe(true);
      changed.next();
      jest.advanceTimersByTime(499);
      expect(pushes[0]).toBe(1);
      jest.advanceTimersByTime(1);
      expect(pushes.every((n) => n === 2)).toBe(true);
      expect(cache.listDue(500)).toBe(cache.listDue(500));
      subs.forEach((s) => s.unsubscribe());
    });

    it('passes an error of changed$ to every session', () => {
      const changed = new Subject<void>();
      const cache = new StreamListCache({ list: () => [], changed$: changed.asObservable() });
      const errors: unknown[] = [];
      cache.listDue(500).subscribe({ error: (e: unknown) => errors.push(e) });
      cache.listDue(500).subscribe({ error: (e: unknown) => errors.push(e) });
      changed.error(new Error('registry gone'));
      expect(errors).toHaveLength(2);
    });
  });
});
