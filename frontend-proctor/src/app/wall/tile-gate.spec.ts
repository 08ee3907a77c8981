import { INITIAL_TILE_GATE, TILE_MAX_QUEUE, tileGateStep, type TileGateState } from './tile-gate';

function run(fragments: { join: boolean; queued: number }[], maxQueue = 3): { decoded: boolean[]; state: TileGateState } {
  let state = INITIAL_TILE_GATE;
  const decoded: boolean[] = [];
  for (const f of fragments) {
    const [next, decode] = tileGateStep(state, f.join, f.queued, maxQueue);
    state = next;
    decoded.push(decode);
  }
  return { decoded, state };
}

describe('tileGateStep', () => {
  it('lets a join burst through by default (a GOP queued at once on subscribe)', () => {
    const burst = [{ join: true, queued: 0 }, ...Array.from({ length: 25 }, (_, i) => ({ join: false, queued: i + 1 }))];
    expect(run(burst, TILE_MAX_QUEUE).decoded.every(Boolean)).toBe(true);
  });

  it('starts at the first join fragment and decodes what follows while the decoder keeps up', () => {
    const r = run([
      { join: false, queued: 0 },
      { join: true, queued: 0 },
      { join: false, queued: 1 },
      { join: false, queued: 3 },
    ]);
    expect(r.decoded).toEqual([false, true, true, true]);
    expect(r.state).toEqual({ waitingForJoin: false, dropped: 1 });
  });

  it('when the decoder falls behind, drops to the next join fragment instead of decoding garbage', () => {
    const r = run([
      { join: true, queued: 0 },
      { join: false, queued: 4 },
      { join: false, queued: 0 },
      { join: true, queued: 0 },
      { join: false, queued: 0 },
    ]);
    expect(r.decoded).toEqual([true, false, false, true, true]);
    expect(r.state.dropped).toBe(2);
  });
});
