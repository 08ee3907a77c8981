import { lumaStats, meanAbsDifference, ScreenWatch } from './screen-watch';

const W = 32;
const H = 18;
/** A flat picture of one luma value. */
const flat = (v: number) => new Uint8Array(W * H).fill(v);
/** A busy picture (text-like stripes); `shift` moves the stripes (a visible change). */
const busy = (shift = 0) => Uint8Array.from({ length: W * H }, (_, i) => ((i + shift) % 7 < 3 ? 30 : 220));
/** A black screen under a browser toolbar: the top row light grey. */
const blackUnderToolbar = () => Uint8Array.from({ length: W * H }, (_, i) => (i < W ? 200 : 0));

describe('lumaStats and meanAbsDifference', () => {
  it('mean and the share of pixels near the median', () => {
    expect(lumaStats(flat(0), 10)).toEqual({ mean: 0, flatFraction: 1 });
    expect(lumaStats(blackUnderToolbar(), 10).flatFraction).toBeCloseTo(17 / 18);
    expect(lumaStats(busy(), 10).flatFraction).toBeLessThan(0.6);
    expect(() => lumaStats(new Uint8Array(0), 10)).toThrow(RangeError);
  });

  it('difference of two pictures', () => {
    expect(meanAbsDifference(flat(10), flat(12))).toBe(2);
    expect(meanAbsDifference(busy(), busy())).toBe(0);
    expect(() => meanAbsDifference(flat(1), new Uint8Array(3))).toThrow(RangeError);
  });
});

describe('ScreenWatch: blank', () => {
  it('reports a blank screen once it held 2 s, from when it began, and its end after 1 s of picture', () => {
    const watch = new ScreenWatch();
    expect(watch.observe(busy(), 0)).toEqual([]);
    expect(watch.observe(flat(0), 1000)).toEqual([]);
    expect(watch.observe(flat(0), 2000)).toEqual([]);
    expect(watch.observe(flat(0), 3000)).toEqual([{ kind: 'screen-blank', state: 'start', atMs: 1000, heldMs: 2000, luma: 0 }]);
    expect(watch.blank).toBe(true);
    expect(watch.observe(flat(0), 4000)).toEqual([]); // reported once
    expect(watch.observe(busy(), 5000)).toEqual([]); // a single picture does not end it
    expect(watch.observe(flat(0), 6000)).toEqual([]);
    expect(watch.observe(busy(), 7000)).toEqual([]);
    expect(watch.observe(busy(1), 8000)).toEqual([{ kind: 'screen-blank', state: 'end', atMs: 7000, heldMs: 6000, luma: expect.any(Number) }]);
    expect(watch.blank).toBe(false);
  });

  it('a flicker shorter than 2 s is not reported; black under a toolbar and a white screen are blank; a page of text is not', () => {
    const watch = new ScreenWatch();
    watch.observe(flat(0), 0);
    watch.observe(flat(0), 1500);
    expect(watch.observe(busy(), 1900)).toEqual([]);
    expect(watch.observe(flat(0), 2500)).toEqual([]); // counting starts again
    const toolbar = new ScreenWatch();
    toolbar.observe(blackUnderToolbar(), 0);
    expect(toolbar.observe(blackUnderToolbar(), 2000).map((e) => e.kind)).toEqual(['screen-blank']);
    // the real size: a browser's tab strip and toolbar take 4 of 36 rows (11 %) of a 64x36 thumbnail
    const tall = new ScreenWatch();
    const chrome = Uint8Array.from({ length: 64 * 36 }, (_, i) => (i < 64 * 4 ? 210 : 0));
    tall.observe(chrome, 0);
    expect(tall.observe(chrome, 2000).map((e) => e.kind)).toEqual(['screen-blank']);
    const white = new ScreenWatch();
    white.observe(flat(250), 0);
    expect(white.observe(flat(250), 2000)).toEqual([{ kind: 'screen-blank', state: 'start', atMs: 0, heldMs: 2000, luma: 250 }]);
    const text = new ScreenWatch();
    for (let t = 0; t <= 10_000; t += 1000) expect(text.observe(busy(t / 1000), t)).toEqual([]);
  });

  it('thresholds are options', () => {
    const watch = new ScreenWatch({ blankAfterMs: 0, blankClearAfterMs: 0 });
    expect(watch.observe(flat(3), 0).map((e) => e.state)).toEqual(['start']);
    expect(watch.observe(busy(), 10).map((e) => e.state)).toEqual(['end']);
    expect(() => new ScreenWatch({ blankFraction: 0 })).toThrow(RangeError);
    expect(() => new ScreenWatch({ frozenAfterMs: -1 })).toThrow(RangeError);
  });
});

describe('ScreenWatch: frozen', () => {
  it('reports an unchanged picture after 30 s, from its last change; the next change ends it', () => {
    const watch = new ScreenWatch();
    for (let t = 0; t < 30_000; t += 1000) expect(watch.observe(busy(), t)).toEqual([]);
    expect(watch.observe(busy(), 30_000)).toEqual([{ kind: 'screen-frozen', state: 'start', atMs: 0, heldMs: 30_000, luma: expect.any(Number) }]);
    expect(watch.observe(busy(), 31_000)).toEqual([]);
    expect(watch.observe(busy(2), 32_000)).toEqual([{ kind: 'screen-frozen', state: 'end', atMs: 32_000, heldMs: 32_000, luma: expect.any(Number) }]);
    expect(watch.frozen).toBe(false);
  });

  it('tiny changes (a clock in a corner) do not count as change; a blank screen is blank, not frozen', () => {
    const watch = new ScreenWatch();
    const picture = busy();
    for (let t = 0; t < 30_000; t += 1000) {
      const p = picture.slice();
      p[0] = t % 2000 === 0 ? 30 : 90; // one pixel changes
      watch.observe(p, t);
    }
    expect(watch.observe(picture, 30_000).map((e) => e.kind)).toEqual(['screen-frozen']);
    const dark = new ScreenWatch();
    const kinds: string[] = [];
    for (let t = 0; t <= 60_000; t += 1000) kinds.push(...dark.observe(flat(0), t).map((e) => e.kind));
    expect(kinds).toEqual(['screen-blank']);
  });

  it('reset ends what was reported and starts afresh', () => {
    const watch = new ScreenWatch({ frozenAfterMs: 1000 });
    watch.observe(busy(), 0);
    watch.observe(busy(), 1000);
    expect(watch.reset(5000)).toEqual([{ kind: 'screen-frozen', state: 'end', atMs: 5000, heldMs: 5000, luma: expect.any(Number) }]);
    expect(watch.reset(6000)).toEqual([]);
    expect(watch.observe(busy(), 7000)).toEqual([]);
  });
});
