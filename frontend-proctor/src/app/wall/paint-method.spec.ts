import { PaintMethodChooser, type PaintMethod } from './paint-method';

/** Paints `n` times with the chooser, each method costing what `cost` says. */
function paint(chooser: PaintMethodChooser, n: number, cost: Record<PaintMethod, number>, thumbnailPossible = true): PaintMethod[] {
  const used: PaintMethod[] = [];
  for (let i = 0; i < n; i++) {
    const m = chooser.next(thumbnailPossible);
    chooser.record(m, cost[m]);
    used.push(m);
  }
  return used;
}

describe('PaintMethodChooser', () => {
  it('alternates the methods during the trials, then keeps the cheaper', () => {
    const chooser = new PaintMethodChooser(4, 100);
    const trials = paint(chooser, 8, { draw: 9, thumbnail: 1 });
    expect(trials.filter((m) => m === 'draw')).toHaveLength(4);
    expect(chooser.current).toBe('thumbnail');
    expect(new Set(paint(chooser, 50, { draw: 9, thumbnail: 1 }))).toEqual(new Set(['thumbnail']));
  });

  it('keeps drawImage where it is cheaper (a GPU canvas)', () => {
    const chooser = new PaintMethodChooser(4, 100);
    paint(chooser, 8, { draw: 0.2, thumbnail: 1.5 });
    expect(chooser.current).toBe('draw');
  });

  it('draws frames it cannot scale in script, without counting them as trials', () => {
    const chooser = new PaintMethodChooser(4, 100);
    expect(new Set(paint(chooser, 20, { draw: 9, thumbnail: 1 }, false))).toEqual(new Set(['draw']));
    expect(chooser.current).toBeNull();
  });

  it('tries the other method again after reprobeEvery paints and switches when costs changed', () => {
    const chooser = new PaintMethodChooser(4, 20);
    paint(chooser, 8, { draw: 9, thumbnail: 1 });
    expect(chooser.current).toBe('thumbnail');
    // costs turn round (e.g. the browser moved frames to the GPU)
    const used = paint(chooser, 20, { draw: 0.5, thumbnail: 3 });
    expect(used.slice(16)).toEqual(['draw', 'draw', 'draw', 'draw']);
    expect(chooser.current).toBe('draw');
  });

  it('ignores impossible timings and refuses bad settings', () => {
    const chooser = new PaintMethodChooser(2, 10);
    chooser.record('draw', NaN);
    chooser.record('draw', -1);
    expect(chooser.next(true)).toBe('draw');
    expect(() => new PaintMethodChooser(0, 10)).toThrow(RangeError);
    expect(() => new PaintMethodChooser(5, 4)).toThrow(RangeError);
  });
});
