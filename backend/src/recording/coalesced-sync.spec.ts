import { CoalescedSync } from './coalesced-sync';

/** A sync operation whose runs the test settles by hand. */
function controlledSync() {
  const runs: { resolve: () => void; reject: (e: Error) => void; startedAfter: number }[] = [];
  let clock = 0;
  const sync = new CoalescedSync(
    () =>
      new Promise<void>((resolve, reject) => {
        runs.push({ resolve, reject, startedAfter: clock });
      }),
  );
  /** A caller: records the clock at its call (its "change") and how its request ended. */
  const call = () => {
    const at = ++clock;
    const result: { at: number; state: 'pending' | 'done' | 'failed'; error?: string; runIndex: number } = { at, state: 'pending', runIndex: -1 };
    sync.request().then(
      () => {
        result.state = 'done';
      },
      (e: Error) => {
        result.state = 'failed';
        result.error = e.message;
      },
    );
    return result;
  };
  return { sync, runs, call };
}

const settle = () => new Promise((r) => setImmediate(r));

describe('CoalescedSync', () => {
  it('a lone caller starts a sync at once and is answered when it completes', async () => {
    const { sync, runs, call } = controlledSync();
    const a = call();
    expect(runs).toHaveLength(1);
    await settle();
    expect(a.state).toBe('pending'); // never before its sync completed
    runs[0].resolve();
    await settle();
    expect(a.state).toBe('done');
    expect(sync.started).toBe(1);
  });

  it('callers arriving while a sync runs share one next sync, started only after the running one ended', async () => {
    const { sync, runs, call } = controlledSync();
    const first = call();
    const later = Array.from({ length: 50 }, () => call());
    expect(runs).toHaveLength(1); // the running sync may have started before their changes: not theirs
    runs[0].resolve();
    await settle();
    expect(first.state).toBe('done');
    expect(later.every((c) => c.state === 'pending')).toBe(true); // not answered by a sync that started before them
    expect(runs).toHaveLength(2);
    expect(runs[1].startedAfter).toBeGreaterThanOrEqual(Math.max(...later.map((c) => c.at)));
    const last = call(); // arrives while the shared second sync runs: a third one for it
    runs[1].resolve();
    await settle();
    expect(later.every((c) => c.state === 'done')).toBe(true);
    expect(last.state).toBe('pending');
    runs[2].resolve();
    await settle();
    expect(last.state).toBe('done');
    expect(sync.started).toBe(3); // 52 callers, 3 syncs
  });

  it('a failed sync fails only the callers it covered; the next sync\'s callers get its own outcome', async () => {
    const { runs, call } = controlledSync();
    const covered = [call()];
    const next = [call(), call()]; // arrived while the first sync ran: they wait for the next one
    runs[0].reject(new Error('EIO: directory fsync failed'));
    await settle();
    expect(covered[0]).toMatchObject({ state: 'failed', error: 'EIO: directory fsync failed' });
    expect(runs).toHaveLength(2);
    runs[1].resolve();
    await settle();
    expect(next.every((c) => c.state === 'done')).toBe(true);
    // and a retry after the failure starts its own sync
    const retry = call();
    expect(runs).toHaveLength(3);
    runs[2].resolve();
    await settle();
    expect(retry.state).toBe('done');
  });

  it('a sync that throws synchronously rejects its callers and does not block later ones', async () => {
    let attempt = 0;
    const sync = new CoalescedSync(() => {
      if (++attempt === 1) throw new Error('EBADF');
      return Promise.resolve();
    });
    await expect(sync.request()).rejects.toThrow('EBADF');
    await expect(sync.request()).resolves.toBeUndefined();
  });
});
