import { BufferBudget } from './buffer-budget';
import { demandedRate } from './fps-demand';
import { LiveStream, type SentinelControl } from './live-stream';
import { Viewer, type ViewerView } from './viewer';
import { streamMessages, toUnits } from '../testing/media-fixtures';
import { testRegistryOptions } from '../testing/registry-options';

describe('demandedRate (pure)', () => {
  const base = { baseFps: 1, focusFps: 5, overrideFps: null, focusViewers: 0 };
  it('is the base rate unwatched or watched only as tiles, the focus rate while a focused view watches', () => {
    expect(demandedRate(base).fps).toBe(1);
    expect(demandedRate({ ...base, focusViewers: 2 }).fps).toBe(5);
  });
  it('never lowers a base rate above the focus rate, and an admin rate wins over everything', () => {
    expect(demandedRate({ ...base, baseFps: 2, focusFps: 1, focusViewers: 1 }).fps).toBe(2);
    expect(demandedRate({ ...base, overrideFps: 0.2, focusViewers: 3 }).fps).toBe(0.2);
  });
});

describe('LiveStream frame rate from its viewers', () => {
  const noDisk = { write: async () => undefined, writeGap: async () => undefined };

  function setup(focusFps = 5) {
    const sent: SentinelControl[] = [];
    const stream = new LiveStream(
      { streamId: 's-1', examId: 'e', seatId: 'seat', encoder: 'webcodecs', userAgent: 'jest', startedAtMs: 1_764_000_000_000 },
      1,
      testRegistryOptions({ fps: 1, focusFps }),
      noDisk,
      new BufferBudget(1 << 30),
    );
    stream.attachSentinel({ sendControl: (m) => sent.push(m), replaced: () => undefined, resendFromAck: () => undefined });
    for (const u of toUnits(streamMessages(6, 5), stream.channel)) stream.ingest(u);
    const link = { sendBinary: () => undefined, sendReplay: () => undefined, bufferedAmount: () => 0 };
    const viewer = (view: ViewerView) => new Viewer('s-1', 1, link, 4 << 20, () => undefined, { view });
    const fpsSent = () => sent.filter((m) => m.type === 'set-fps');
    return { stream, viewer, fpsSent };
  }

  it('a tile leaves the rate alone; a focused view raises it at once and its leaving lowers it again', () => {
    const { stream, viewer, fpsSent } = setup();
    const tile = viewer('tile');
    stream.addViewer(tile, Date.now());
    expect(fpsSent()).toEqual([]);
    const focus = viewer('focus');
    stream.addViewer(focus, Date.now());
    expect(fpsSent()).toEqual([{ type: 'set-fps', fps: 5, reason: 'demand' }]);
    expect(stream.summary(Date.now()).fps).toBe(5);
    const second = viewer('focus');
    stream.addViewer(second, Date.now());
    stream.removeViewer(focus);
    expect(fpsSent()).toHaveLength(1); // still one focused view
    stream.removeViewer(second);
    expect(fpsSent().at(-1)).toEqual({ type: 'set-fps', fps: 1, reason: 'demand' });
    stream.removeViewer(tile);
    expect(fpsSent()).toHaveLength(2);
  });

  it("the exam's rate is the base; an admin's rate wins over focus until the stream ends", () => {
    const { stream, viewer, fpsSent } = setup();
    stream.setBaseFps(2);
    expect(fpsSent()).toEqual([{ type: 'set-fps', fps: 2, reason: 'demand' }]);
    stream.setFps(0.5, 'admin');
    const focus = viewer('focus');
    stream.addViewer(focus, Date.now());
    stream.removeViewer(focus);
    expect(fpsSent().slice(1)).toEqual([{ type: 'set-fps', fps: 0.5, reason: 'admin' }]);
    expect(stream.fps).toBe(0.5);
  });

  it('without a focus rate above the base (the default of the pure core) nothing changes', () => {
    const { stream, viewer, fpsSent } = setup(1);
    stream.addViewer(viewer('focus'), Date.now());
    expect(fpsSent()).toEqual([]);
  });

  it('load shedding lowers an unwatched stream first (reason load), then a tile-only one, a focused one last to its base rate; calm restores it', () => {
    const { stream, viewer, fpsSent } = setup();
    stream.setShedLevel(1, 0.2);
    expect(fpsSent()).toEqual([{ type: 'set-fps', fps: 0.2, reason: 'load' }]);
    expect(stream.shedByLoad).toBe(true);
    const tile = viewer('tile');
    stream.addViewer(tile, Date.now()); // level 1 spares tiles: back to the base rate
    expect(fpsSent().at(-1)).toEqual({ type: 'set-fps', fps: 1, reason: 'demand' });
    stream.setShedLevel(2, 0.2);
    expect(fpsSent().at(-1)).toEqual({ type: 'set-fps', fps: 0.2, reason: 'load' });
    const focus = viewer('focus');
    stream.addViewer(focus, Date.now()); // a focused view is spared until level 3
    expect(fpsSent().at(-1)).toEqual({ type: 'set-fps', fps: 5, reason: 'demand' });
    expect(stream.shedByLoad).toBe(false);
    stream.setShedLevel(3, 0.2);
    expect(fpsSent().at(-1)).toEqual({ type: 'set-fps', fps: 1, reason: 'load' });
    stream.setShedLevel(0, 0.2);
    expect(fpsSent().at(-1)).toEqual({ type: 'set-fps', fps: 5, reason: 'demand' });
    expect(stream.shedByLoad).toBe(false);
  });

  it("an admin's rate wins over load shedding", () => {
    const { stream, fpsSent } = setup();
    stream.setFps(2, 'admin');
    stream.setShedLevel(3, 0.2);
    expect(fpsSent()).toEqual([{ type: 'set-fps', fps: 2, reason: 'admin' }]);
    expect(stream.shedByLoad).toBe(false);
  });
});
