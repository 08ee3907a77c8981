import { AlertBook, alertConditions, type AlertInput } from './alert-rules';

const T = 1_764_000_000_000;
const stream = (over: Partial<AlertInput> = {}): AlertInput => ({
  streamId: 's-1', examId: 'e-1', seatId: 'seat-1', state: 'live', lastSeenAtMs: T, storage: 'ok', fragmentAgeMinMs: 80, fragmentAgeMaxMs: 200, ...over,
});

describe('alertConditions', () => {
  it('says nothing of a healthy stream, or of one just disconnected, or ended', () => {
    expect(alertConditions([stream()], T + 1000)).toEqual([]);
    expect(alertConditions([stream({ state: 'disconnected' })], T + 29_000)).toEqual([]);
    expect(alertConditions([stream({ state: 'ended', storage: 'storage-failed' })], T + 99_000)).toEqual([]);
  });

  it('raises disconnected past the threshold, storage failing, and a kiosk clock far off', () => {
    const kinds = alertConditions(
      [
        stream({ state: 'disconnected', streamId: 'a' }),
        stream({ storage: 'storage-failed', streamId: 'b' }),
        stream({ fragmentAgeMinMs: -130_000, fragmentAgeMaxMs: -120_000, streamId: 'c' }),
        stream({ fragmentAgeMinMs: 200, fragmentAgeMaxMs: 300_000, streamId: 'd' }), // old and new fragments: not a clock
      ],
      T + 31_000,
    ).map((c) => `${c.streamId}:${c.kind}`);
    expect(kinds).toEqual(['a:disconnected', 'b:storage-failed', 'c:clock-skew']);
    expect(alertConditions([stream({ state: 'disconnected' })], T + 45_000)[0]!.detail).toBe('no Sentinel for 45 s');
    expect(alertConditions([stream({ fragmentAgeMinMs: -130_000, fragmentAgeMaxMs: -120_000 })], T)[0]!.detail).toBe("the kiosk clock is 120 s ahead of the server's");
  });
});

describe('AlertBook', () => {
  const cond = (streamId: string, kind: 'disconnected' | 'storage-failed' = 'disconnected') => ({ kind, streamId, examId: streamId.startsWith('x') ? 'e-x' : 'e-1', seatId: 'seat', detail: 'd' });

  it('raises once while a condition holds, clears it when it ends, and keeps it until acknowledged', () => {
    const book = new AlertBook();
    const first = book.update([cond('a')], T);
    expect(first.raised.map((a) => a.id)).toEqual([1]);
    expect(book.update([cond('a')], T + 2000).raised).toEqual([]); // still the same alert
    const ended = book.update([], T + 4000);
    expect(ended.cleared.map((a) => [a.id, a.clearedAtMs])).toEqual([[1, T + 4000]]);
    expect(book.list('all', true).map((a) => a.id)).toEqual([1]); // open until acknowledged
    book.acknowledge(1, 'p@vigil.test', 'called the student', T + 5000);
    expect(book.list('all', true)).toEqual([]);
    expect(book.get(1)!.ack).toEqual({ by: 'p@vigil.test', atMs: T + 5000, note: 'called the student' });
    expect(() => book.acknowledge(1, 'q@vigil.test', 'again', T + 6000)).toThrow(/acknowledged by p@vigil.test already/);
    expect(book.acknowledge(99, 'p', '', T)).toBeNull();
    // the same condition again later is a new alert
    expect(book.update([cond('a')], T + 9000).raised.map((a) => a.id)).toEqual([2]);
  });

  it('lists by exam, newest first, and stays within its capacity dropping handled alerts first', () => {
    const book = new AlertBook(3);
    book.update([cond('a'), cond('x1')], T);
    book.update([], T + 1);
    book.acknowledge(1, 'p', '', T + 2);
    book.update([cond('b'), cond('c', 'storage-failed')], T + 3);
    expect(book.list('all').map((a) => a.id)).toEqual([4, 3, 2]); // 1 was handled: dropped first
    expect(book.list(new Set(['e-x'])).map((a) => a.streamId)).toEqual(['x1']);
  });
});
