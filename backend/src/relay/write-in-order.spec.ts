import { EMPTY, Subject, of, type Observable } from 'rxjs';
import { writeInOrder } from './write-in-order';

/** A write whose outcome each test decides: `log` holds the calls in order, `settle` ends the oldest open one. */
class ControlledWrites {
  readonly log: string[] = [];
  private readonly open: { item: string; resolve: () => void; reject: (e: Error) => void }[] = [];
  readonly write = (item: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      this.log.push(item);
      this.open.push({ item, resolve, reject });
    });
  get pending(): string[] {
    return this.open.map((o) => o.item);
  }
  async succeed(): Promise<void> {
    this.open.shift()!.resolve();
    await flush();
  }
  async fail(message = 'EIO'): Promise<void> {
    this.open.shift()!.reject(new Error(message));
    await flush();
  }
}

/** Lets settled promises run their callbacks. */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

function collect<T>(output: Observable<T>): { values: T[]; completed: () => boolean; errors: unknown[]; stop: () => void } {
  const values: T[] = [];
  const errors: unknown[] = [];
  let done = false;
  const sub = output.subscribe({ next: (v) => values.push(v), error: (e) => errors.push(e), complete: () => (done = true) });
  return { values, errors, completed: () => done, stop: () => sub.unsubscribe() };
}

describe('writeInOrder', () => {
  it('writes one item at a time, in order, and emits each once its write resolved', async () => {
    const writes = new ControlledWrites();
    const input = new Subject<string>();
    const out = collect(input.pipe(writeInOrder(writes.write, () => of(0))));
    input.next('a');
    input.next('b');
    input.next('c');
    expect(writes.pending).toEqual(['a']); // b waits for a
    await writes.succeed();
    expect(out.values).toEqual(['a']);
    expect(writes.pending).toEqual(['b']);
    await writes.succeed();
    await writes.succeed();
    expect(out.values).toEqual(['a', 'b', 'c']);
    expect(writes.log).toEqual(['a', 'b', 'c']);
  });

  it('retries a failed write with the same item, attempts counted per item, before the next item', async () => {
    const writes = new ControlledWrites();
    const input = new Subject<string>();
    const attempts: [string, number][] = [];
    const delays = new Subject<void>();
    const out = collect(
      input.pipe(
        writeInOrder(writes.write, (error, attempt) => {
          attempts.push([(error as Error).message, attempt]);
          return delays;
        }),
      ),
    );
    input.next('a');
    input.next('b');
    await writes.fail('ENOSPC');
    expect(writes.pending).toEqual([]); // waiting for the retry delay
    delays.next();
    expect(writes.pending).toEqual(['a']);
    await writes.fail('EIO');
    delays.next();
    await writes.succeed();
    expect(out.values).toEqual(['a']);
    await writes.fail('EIO'); // b's first failure: attempt 1 again
    delays.next();
    await writes.succeed();
    expect(out.values).toEqual(['a', 'b']);
    expect(writes.log).toEqual(['a', 'a', 'a', 'b', 'b']);
    expect(attempts).toEqual([
      ['ENOSPC', 1],
      ['EIO', 2],
      ['EIO', 1],
    ]);
  });

  it('treats a write that throws like one that rejects', async () => {
    const input = new Subject<string>();
    let calls = 0;
    const out = collect(
      input.pipe(
        writeInOrder(
          (item: string) => {
            if (calls++ === 0) throw new Error(`sync failure of ${item}`);
            return Promise.resolve();
          },
          () => of(0),
        ),
      ),
    );
    input.next('a');
    await flush();
    expect(calls).toBe(2);
    expect(out.values).toEqual(['a']);
  });

  it('gives an item up when the retry delay completes without a value (shutdown), and goes on with the next', async () => {
    const writes = new ControlledWrites();
    const input = new Subject<string>();
    const out = collect(input.pipe(writeInOrder(writes.write, () => EMPTY)));
    input.next('a');
    input.next('b');
    await writes.fail();
    expect(writes.pending).toEqual(['b']);
    await writes.succeed();
    expect(out.values).toEqual(['b']); // a is not emitted: it never became durable
  });

  it('completes after the source completed and the last write settled', async () => {
    const writes = new ControlledWrites();
    const input = new Subject<string>();
    const out = collect(input.pipe(writeInOrder(writes.write, () => of(0))));
    input.next('a');
    input.complete();
    expect(out.completed()).toBe(false);
    await writes.succeed();
    expect(out.values).toEqual(['a']);
    expect(out.completed()).toBe(true);

    const idle = collect(new Subject<string>().pipe(writeInOrder(writes.write, () => of(0))));
    const empty = collect(EMPTY.pipe(writeInOrder(writes.write, () => of(0))));
    expect(idle.completed()).toBe(false);
    expect(empty.completed()).toBe(true);
  });

  it('passes a source error on', () => {
    const writes = new ControlledWrites();
    const input = new Subject<string>();
    const out = collect(input.pipe(writeInOrder(writes.write, () => of(0))));
    input.error(new Error('source broke'));
    expect(out.errors).toEqual([new Error('source broke')]);
  });

  it('stops on unsubscribe: no retry after the pending delay, no emission of a write that resolves later', async () => {
    const writes = new ControlledWrites();
    const input = new Subject<string>();
    const delays = new Subject<void>();
    const out = collect(input.pipe(writeInOrder(writes.write, () => delays)));
    input.next('a');
    await writes.fail();
    expect(delays.observed).toBe(true);
    out.stop();
    expect(delays.observed).toBe(false); // the delay's subscription is gone
    expect(input.observed).toBe(false);

    const writes2 = new ControlledWrites();
    const input2 = new Subject<string>();
    const out2 = collect(input2.pipe(writeInOrder(writes2.write, () => of(0))));
    input2.next('x');
    out2.stop();
    await writes2.succeed();
    expect(out2.values).toEqual([]);
  });

  it('writes nothing more once its subscriber unsubscribed while handling an emission', async () => {
    const writes = new ControlledWrites();
    const input = new Subject<string>();
    const seen: string[] = [];
    const sub = input.pipe(writeInOrder(writes.write, () => of(0))).subscribe((v) => {
      seen.push(v);
      sub.unsubscribe(); // e.g. the stream ended on this ack
    });
    input.next('a');
    input.next('b');
    await writes.succeed();
    expect(seen).toEqual(['a']);
    expect(writes.log).toEqual(['a']); // b was never started
  });

  it('queues an item pushed while its subscriber handles an emission, and writes it next', async () => {
    const writes = new ControlledWrites();
    const input = new Subject<string>();
    const seen: string[] = [];
    input.pipe(writeInOrder(writes.write, () => of(0))).subscribe((v) => {
      seen.push(v);
      if (v === 'a') input.next('from-a'); // e.g. an ack that makes the stream queue a gap
    });
    input.next('a');
    input.next('b');
    await writes.succeed();
    expect(writes.pending).toEqual(['b']);
    await writes.succeed();
    await writes.succeed();
    expect(seen).toEqual(['a', 'b', 'from-a']);
  });

  it('keeps order across the queue compaction of a queue that never drains', async () => {
    const input = new Subject<number>();
    const written: number[] = [];
    let resolveCurrent: (() => void) | null = null;
    const out = collect(
      input.pipe(
        writeInOrder(
          (n: number) =>
            new Promise<void>((resolve) => {
              written.push(n);
              resolveCurrent = resolve;
            }),
          () => of(0),
        ),
      ),
    );
    // always one item (then two) ahead: the queue never empties in 5,000 writes, so written
    // items are dropped from its front every 1,024 or so
    input.next(0);
    for (let i = 1; i < 5000; i++) {
      input.next(i);
      if (i % 3 === 0) input.next(-i); // a second item now and then
      resolveCurrent!();
      await flush();
    }
    while (out.values.length < written.length || written.length < 5000 + 1666) {
      resolveCurrent!();
      await flush();
    }
    const expected = [0];
    for (let i = 1; i < 5000; i++) expected.push(i, ...(i % 3 === 0 ? [-i] : []));
    expect(written).toEqual(expected);
    expect(out.values).toEqual(expected);
  });
});
