import 'fake-indexeddb/auto';
import { FakeScheduler } from '../testing/fake-scheduler';
import { BacklogPersister } from './backlog-persister';
import { BacklogStore, emptySeatRecord, type BacklogStoreLike, type SeatRecord } from './backlog-store';
import { OutboundQueue, type OutboundMessage } from './outbound-queue';

let dbCount = 0;

function msg(sequence: number, bytes = 100): OutboundMessage {
  return { sequence, kind: 'fragment', join: false, data: new Uint8Array(bytes), durationTicks: 90000, mediaEndTicks: sequence * 90000, captureEndMs: 1.7e12 + sequence * 1000 };
}

/** A real (fake-indexeddb) store whose writes can be made to fail like a full disk. */
class FlakyStore implements BacklogStoreLike {
  failWith: Error | null = null;
  puts = 0;
  constructor(private readonly inner: BacklogStore) {}
  load(examId: string, seatId: string) {
    return this.inner.load(examId, seatId);
  }
  async put(messages: readonly OutboundMessage[], record: SeatRecord) {
    this.puts++;
    if (this.failWith) throw this.failWith;
    return this.inner.put(messages, record);
  }
  async ack(record: SeatRecord) {
    if (this.failWith) throw this.failWith;
    return this.inner.ack(record);
  }
  replace(record: SeatRecord) {
    return this.inner.replace(record);
  }
  forget(seat: string) {
    return this.inner.forget(seat);
  }
}

async function setup(options: { record?: SeatRecord; queue?: OutboundQueue } = {}) {
  const inner = await BacklogStore.open(`test-persister-${++dbCount}`);
  const store = new FlakyStore(inner);
  const queue = options.queue ?? new OutboundQueue({ maxBytes: 1024 * 1024 });
  const scheduler = new FakeScheduler(0);
  let sendable = 0;
  let changes = 0;
  const persister = new BacklogPersister({
    store,
    queue,
    scheduler,
    record: options.record ?? emptySeatRecord('exam-1', 'seat-7', 0),
    onSendable: () => sendable++,
    onChange: () => changes++,
    retryMs: 1000,
    wallClock: () => 1.7e12,
  });
  const sent = () => {
    const out: number[] = [];
    for (let m = queue.peekUnsent(); m !== undefined; m = queue.peekUnsent()) {
      out.push(m.sequence);
      queue.markSent();
    }
    return out;
  };
  return { inner, store, queue, scheduler, persister, sent, counts: () => ({ sendable, changes }) };
}

describe('BacklogPersister', () => {
  it('lets a message out only once it is written to IndexedDB', async () => {
    const { queue, persister, sent, inner, counts } = await setup();
    queue.push(msg(1));
    queue.push(msg(2));
    expect(sent()).toEqual([]); // gate closed until written
    persister.notePushed();
    await persister.idle();
    expect(sent()).toEqual([1, 2]);
    expect(counts().sendable).toBeGreaterThan(0);
    expect(persister.writtenThrough).toBe(2);
    const restored = await inner.load('exam-1', 'seat-7');
    expect(restored?.messages.map((m) => m.sequence)).toEqual([1, 2]);
    expect(restored?.record).toMatchObject({ highestSequence: 2, mediaEndTicks: 180000, captureEndMs: 1.7e12 + 2000 });
  });

  it('deletes on ack and remembers the stream id and the ack for the next page', async () => {
    const { queue, persister, inner } = await setup();
    for (let s = 1; s <= 4; s++) queue.push(msg(s));
    persister.notePushed();
    await persister.idle();
    persister.noteStream('st-1');
    queue.ack(3);
    persister.noteAck(3);
    await persister.idle();
    const restored = await inner.load('exam-1', 'seat-7');
    expect(restored?.record).toMatchObject({ streamId: 'st-1', lastAcked: 3, highestSequence: 4 });
    expect(restored?.messages.map((m) => m.sequence)).toEqual([4]);
  });

  it('on QuotaExceededError: says so, keeps uploading from memory, and catches up once space is back', async () => {
    const { queue, persister, sent, store, scheduler, inner, counts } = await setup();
    jest.spyOn(console, 'error').mockImplementation(() => undefined);
    queue.push(msg(1));
    persister.notePushed();
    await persister.idle();
    expect(sent()).toEqual([1]);
    store.failWith = new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    queue.push(msg(2));
    queue.push(msg(3));
    persister.notePushed();
    await persister.idle();
    expect(persister.state).toBe('quota-exceeded');
    expect(persister.lastError).toBe('QuotaExceededError: The quota has been exceeded.');
    expect(counts().changes).toBe(1);
    expect(sent()).toEqual([2, 3]); // the gate opened: the upload does not wait for the disk
    expect(queue.depth).toBe(3); // and memory still holds everything
    expect(persister.failures).toBe(1);
    // still full at the first retry
    scheduler.advance(1000);
    await persister.idle();
    expect(persister.state).toBe('quota-exceeded');
    store.failWith = null;
    scheduler.advance(1000);
    await persister.idle();
    expect(persister.state).toBe('ok');
    expect(persister.lastError).toBeNull();
    expect(persister.writtenThrough).toBe(3);
    expect((await inner.load('exam-1', 'seat-7'))?.messages.map((m) => m.sequence)).toEqual([1, 2, 3]);
    // back to persist-before-send
    queue.push(msg(4));
    expect(sent()).toEqual([]);
    persister.notePushed();
    await persister.idle();
    expect(sent()).toEqual([4]);
  });

  it('another write failure is "failed", not "quota-exceeded"', async () => {
    const { queue, persister, store } = await setup();
    store.failWith = new DOMException('disk I/O', 'UnknownError');
    queue.push(msg(1));
    persister.notePushed();
    await persister.idle();
    expect(persister.state).toBe('failed');
    expect(persister.lastError).toBe('UnknownError: disk I/O');
  });

  it('without IndexedDB: unavailable, gate open, nothing written', () => {
    const queue = new OutboundQueue();
    const persister = new BacklogPersister({
      store: null,
      queue,
      scheduler: new FakeScheduler(0),
      record: emptySeatRecord('exam-1', 'seat-7', 0),
      unavailableReason: 'IndexedDB cannot be opened: SecurityError',
    });
    queue.push(msg(1));
    persister.notePushed();
    expect(persister.state).toBe('unavailable');
    expect(persister.lastError).toBe('IndexedDB cannot be opened: SecurityError');
    expect(queue.peekUnsent()?.sequence).toBe(1);
  });

  it('a stream reset empties the stored backlog and renumbers; a write for the old stream in flight is not counted', async () => {
    const { queue, persister, inner, sent } = await setup();
    for (let s = 1; s <= 3; s++) queue.push(msg(s));
    persister.notePushed();
    queue.reset(1);
    persister.noteReset('st-new', 1);
    await persister.idle();
    expect(persister.writtenThrough).toBe(0);
    queue.push(msg(1));
    persister.notePushed();
    await persister.idle();
    expect(sent()).toEqual([1]);
    const restored = await inner.load('exam-1', 'seat-7');
    expect(restored?.record).toMatchObject({ streamId: 'st-new', lastAcked: 0, highestSequence: 1 });
    expect(restored?.messages.map((m) => m.sequence)).toEqual([1]);
  });

  it('restored messages count as written; capture-ended and forget are stored', async () => {
    const queue = new OutboundQueue();
    queue.reset(11);
    queue.push(msg(11));
    queue.push(msg(12));
    const { persister, inner, sent } = await setup({ queue, record: { ...emptySeatRecord('exam-1', 'seat-7', 0), streamId: 'st-1', lastAcked: 10, highestSequence: 12 } });
    expect(persister.writtenThrough).toBe(12);
    expect(sent()).toEqual([11, 12]);
    persister.noteCaptureEnded();
    persister.noteFps(5);
    await persister.idle();
    expect((await inner.load('exam-1', 'seat-7'))?.record).toMatchObject({ captureEnded: true, fps: 5 });
    expect(() => persister.noteFps(6)).toThrow('fps must be a finite number in [0.2, 5], got 6');
    persister.forget();
    await persister.idle();
    expect(await inner.load('exam-1', 'seat-7')).toBeNull();
  });

  it('throws a TypeError on bad options', () => {
    const base = { store: null, queue: new OutboundQueue(), scheduler: new FakeScheduler(0), record: emptySeatRecord('e', 's', 0) };
    expect(() => new BacklogPersister(null as never)).toThrow('options must be an object');
    expect(() => new BacklogPersister({ ...base, retryMs: 5 })).toThrow('options.retryMs must be an integer >= 100, got 5');
    expect(() => new BacklogPersister({ ...base, batchMax: 0 })).toThrow('options.batchMax must be an integer in [1, 1024], got 0');
    const p = new BacklogPersister(base);
    expect(() => p.noteAck(-1)).toThrow(TypeError);
    expect(() => p.noteReset('st', 0)).toThrow(TypeError);
  });
});
