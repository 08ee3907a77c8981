import { watchersOf } from './watch-plan';

/** proctor -> streams it watches, for N Sentinels and M proctors. */
function plan(n: number, m: number, mode: 'spread' | 'one'): number[][] {
  const byProctor: number[][] = Array.from({ length: m }, () => []);
  for (let s = 0; s < n; s++) for (const p of watchersOf(s, n, m, mode)) byProctor[p]!.push(s);
  return byProctor;
}

describe('watchersOf', () => {
  it('spread, N >= M: every stream once, proctors balanced', () => {
    const p = plan(200, 20, 'spread');
    expect(p.every((streams) => streams.length === 10)).toBe(true);
    expect(new Set(p.flat()).size).toBe(200);
    const q = plan(7, 3, 'spread').map((s) => s.length);
    expect(q).toEqual([3, 2, 2]);
  });

  it('spread, N < M: every proctor one stream, viewers balanced', () => {
    const p = plan(2, 5, 'spread');
    expect(p).toEqual([[0], [1], [0], [1], [0]]);
  });

  it('one: everybody watches the first stream', () => {
    expect(plan(10, 3, 'one')).toEqual([[0], [0], [0]]);
  });

  it('nobody watches without proctors or outside the range', () => {
    expect(watchersOf(0, 5, 0, 'spread')).toEqual([]);
    expect(watchersOf(5, 5, 2, 'spread')).toEqual([]);
  });
});
