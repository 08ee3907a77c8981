import { Subject } from 'rxjs';
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
});
