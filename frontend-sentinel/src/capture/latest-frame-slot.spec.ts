import { LatestFrameSlot } from './latest-frame-slot';

class FakeFrame {
  closed = 0;
  constructor(readonly id: number) {}
  close(): void {
    this.closed++;
  }
}

describe('LatestFrameSlot', () => {
  it('keeps the newest frame and closes the replaced one at once', () => {
    const slot = new LatestFrameSlot<FakeFrame>();
    const a = new FakeFrame(1);
    const b = new FakeFrame(2);
    slot.put(a, 10);
    expect(slot.current).toBe(a);
    expect(slot.receivedAtMs).toBe(10);
    slot.put(b, 20);
    expect(a.closed).toBe(1);
    expect(b.closed).toBe(0);
    expect(slot.current).toBe(b);
    expect(slot.receivedCount).toBe(2);
    expect(slot.replacedCount).toBe(1);
  });

  it('closes every frame exactly once over a burst', () => {
    const slot = new LatestFrameSlot<FakeFrame>();
    const frames = Array.from({ length: 100 }, (_, i) => new FakeFrame(i));
    frames.forEach((f, i) => slot.put(f, i));
    slot.clear();
    slot.clear();
    expect(frames.map((f) => f.closed)).toEqual(frames.map(() => 1));
    expect(slot.current).toBeNull();
    expect(slot.receivedAtMs).toBe(0);
  });

  it('does not close a frame put twice', () => {
    const slot = new LatestFrameSlot<FakeFrame>();
    const a = new FakeFrame(1);
    slot.put(a, 1);
    slot.put(a, 2);
    expect(a.closed).toBe(0);
  });

  it('tolerates frames that throw on close (already closed)', () => {
    const slot = new LatestFrameSlot<{ close(): void }>();
    slot.put({ close: () => { throw new Error('InvalidStateError'); } }, 1);
    expect(() => slot.put({ close: () => undefined }, 2)).not.toThrow();
  });

  it('throws a TypeError on bad input', () => {
    const slot = new LatestFrameSlot<FakeFrame>();
    expect(() => slot.put(null as never, 1)).toThrow('frame must be a closable object such as a VideoFrame');
    expect(() => slot.put({} as never, 1)).toThrow(TypeError);
    expect(() => slot.put(new FakeFrame(1), NaN)).toThrow('atMs must be a finite number, got NaN');
  });
});
