import 'fake-indexeddb/auto';
import { BacklogStore, emptySeatRecord, isQuotaExceeded, seatKey, type SeatRecord } from './backlog-store';
import type { OutboundMessage } from './outbound-queue';

let dbCount = 0;
const freshStore = () => BacklogStore.open(`test-backlog-${++dbCount}`);

function msg(sequence: number, extra: Partial<OutboundMessage> = {}): OutboundMessage {
  const data = new Uint8Array(32).fill(sequence & 0xff);
  return { sequence, kind: 'fragment', join: false, data, durationTicks: 90000, mediaEndTicks: sequence * 90000, captureEndMs: 1.7e12 + sequence * 1000, ...extra };
}

function record(over: Partial<SeatRecord> = {}): SeatRecord {
  return { ...emptySeatRecord('exam-1', 'seat-7', 1.7e12), ...over };
}

describe('BacklogStore (IndexedDB, fake-indexeddb)', () => {
  it('has nothing for a seat it never saw', async () => {
    const store = await freshStore();
    expect(await store.load('exam-1', 'seat-7')).toBeNull();
    store.close();
  });

  it('gives back what was written, in order, bytes and timing intact', async () => {
    const store = await freshStore();
    const init: OutboundMessage = { sequence: 1, kind: 'init', join: false, data: new Uint8Array([1, 2, 3]) };
    await store.put([init, msg(2, { join: true })], record({ highestSequence: 2 }));
    await store.put([msg(3, { gaps: [{ fromMs: 10, toMs: 20, reason: 'capture-stopped' }] })], record({ streamId: 'st-1', highestSequence: 3, mediaEndTicks: 270000 }));
    const restored = await store.load('exam-1', 'seat-7');
    expect(restored?.record).toMatchObject({ seat: 'exam-1/seat-7', streamId: 'st-1', highestSequence: 3, lastAcked: 0, mediaEndTicks: 270000 });
    expect(restored?.messages.map((m) => m.sequence)).toEqual([1, 2, 3]);
    expect(restored?.messages[0]).toEqual(init);
    expect(restored?.messages[1]).toMatchObject({ kind: 'fragment', join: true, durationTicks: 90000 });
    expect(Array.from(restored!.messages[2]!.data)).toEqual(Array.from(msg(3).data));
    expect(restored?.messages[2]?.gaps).toEqual([{ fromMs: 10, toMs: 20, reason: 'capture-stopped' }]);
    expect(restored?.discarded).toBe(0);
    store.close();
  });

  it('stores only the message bytes of a view into a larger buffer', async () => {
    const store = await freshStore();
    const big = new Uint8Array(1000).fill(9);
    await store.put([{ sequence: 1, kind: 'init', join: false, data: big.subarray(10, 20) }], record({ highestSequence: 1 }));
    const restored = await store.load('exam-1', 'seat-7');
    expect(restored!.messages[0]!.data.buffer.byteLength).toBe(10);
    store.close();
  });

  it('deletes acknowledged messages and keeps the seats apart', async () => {
    const store = await freshStore();
    await store.put([msg(1), msg(2), msg(3), msg(4)], record({ highestSequence: 4 }));
    const other = { ...emptySeatRecord('exam-1', 'seat-8', 0), highestSequence: 1 };
    await store.put([msg(1)], other);
    await store.ack(record({ lastAcked: 2, highestSequence: 4 }));
    const restored = await store.load('exam-1', 'seat-7');
    expect(restored?.messages.map((m) => m.sequence)).toEqual([3, 4]);
    expect(restored?.record.lastAcked).toBe(2);
    expect((await store.load('exam-1', 'seat-8'))?.messages.map((m) => m.sequence)).toEqual([1]);
    store.close();
  });

  it('returns only the consecutive run after the last ack and counts what does not follow on', async () => {
    const store = await freshStore();
    await store.put([msg(3), msg(4), msg(6), msg(7)], record({ lastAcked: 2, highestSequence: 7 }));
    const restored = await store.load('exam-1', 'seat-7');
    expect(restored?.messages.map((m) => m.sequence)).toEqual([3, 4]);
    expect(restored?.discarded).toBe(2);
    store.close();
  });

  it('ignores acknowledged messages a page left behind before it could delete them', async () => {
    const store = await freshStore();
    await store.put([msg(1), msg(2), msg(3)], record({ lastAcked: 2, highestSequence: 3 }));
    const restored = await store.load('exam-1', 'seat-7');
    expect(restored?.messages.map((m) => m.sequence)).toEqual([3]);
    expect(restored?.discarded).toBe(0);
    store.close();
  });

  it('replace() empties the seat for a new stream; forget() removes the seat', async () => {
    const store = await freshStore();
    await store.put([msg(1), msg(2)], record({ highestSequence: 2 }));
    await store.replace(record({ streamId: 'st-new', lastAcked: 0, highestSequence: 0 }));
    const replaced = await store.load('exam-1', 'seat-7');
    expect(replaced?.messages).toEqual([]);
    expect(replaced?.record.streamId).toBe('st-new');
    await store.forget('exam-1/seat-7');
    expect(await store.load('exam-1', 'seat-7')).toBeNull();
    store.close();
  });

  it('survives closing and reopening the database (a new page)', async () => {
    const name = `test-backlog-reopen-${++dbCount}`;
    const first = await BacklogStore.open(name);
    await first.put([msg(1), msg(2)], record({ streamId: 'st-1', highestSequence: 2 }));
    first.close();
    const second = await BacklogStore.open(name);
    expect((await second.load('exam-1', 'seat-7'))?.messages.map((m) => m.sequence)).toEqual([1, 2]);
    second.close();
  });

  it('refuses ids that are not protocol ids', () => {
    expect(seatKey('exam-1', 'seat-7')).toBe('exam-1/seat-7');
    expect(() => seatKey('exam/1', 'seat-7')).toThrow('examId must be an id, got "exam/1"');
    expect(() => seatKey('exam-1', '')).toThrow('seatId must be an id, got ""');
    expect(() => emptySeatRecord('e', 'a b', 0)).toThrow(TypeError);
  });

  it('recognises a quota error', () => {
    expect(isQuotaExceeded(new DOMException('full', 'QuotaExceededError'))).toBe(true);
    expect(isQuotaExceeded({ name: 'UnknownError', message: 'Not enough space on the disk' })).toBe(true);
    expect(isQuotaExceeded(new DOMException('x', 'AbortError'))).toBe(false);
    expect(isQuotaExceeded(null)).toBe(false);
    expect(isQuotaExceeded('QuotaExceededError')).toBe(false);
  });
});
