import { Viewer, ViewerLink } from './viewer';
import { fragmentsOf, streamMessages, toUnits } from '../testing/media-fixtures';
import type { InitUnit } from './media-unit';
import { RelayTotals } from '../stats/relay-stats';

/** Records what a viewer sends; replayed units are recorded as their shared message buffer. */
function link(buffered = () => 0): ViewerLink & { sent: Uint8Array[]; replayed: number } {
  const sent: Uint8Array[] = [];
  const l = {
    sent,
    replayed: 0,
    sendBinary: (d: Uint8Array) => sent.push(d),
    sendReplay: (u: { message: Uint8Array }) => {
      l.replayed++;
      sent.push(u.message);
    },
    bufferedAmount: buffered,
  };
  return l;
}

describe('Viewer', () => {
  const units = toUnits(streamMessages(30, 10));
  const init = units[0] as InitUnit;
  const fragments = fragmentsOf(units);

  it('starts at a join point with init then the segment, the very same buffers', () => {
    const l = link();
    const v = new Viewer('s', 1, l, 1024);
    v.start(init, fragments.slice(10, 13));
    expect(v.state).toBe('live');
    expect(l.sent).toEqual([init.message, fragments[10].message, fragments[11].message, fragments[12].message]);
    expect(l.sent[1]).toBe(fragments[10].message);
    expect(l.replayed).toBe(4);
  });

  it('without a join point waits for the next join fragment', () => {
    const l = link();
    const v = new Viewer('s', 1, l, 1024);
    v.start(init, []);
    for (const f of fragments.slice(3, 12)) v.handleUnit(f);
    expect(v.state).toBe('live');
    expect(l.sent).toEqual([init.message, fragments[10].message, fragments[11].message]);
  });

  it('skips to the next join fragment when its socket falls behind, then resumes', () => {
    let buffered = 0;
    const l = link(() => buffered);
    const v = new Viewer('s', 1, l, 10_000);
    v.start(init, fragments.slice(0, 2));
    buffered = 20_000; // socket clogged
    for (const f of fragments.slice(2, 10)) v.handleUnit(f);
    expect(v.state).toBe('skipping');
    expect(v.skips).toBe(1);
    buffered = 0; // drained
    for (const f of fragments.slice(10, 12)) v.handleUnit(f);
    expect(v.state).toBe('live');
    expect(v.skippedFragments).toBe(8);
    expect(l.sent.slice(-2)).toEqual([fragments[10].message, fragments[11].message]);
  });

  it('gives up on a viewer that misses three join fragments in a row, once', () => {
    let tooSlow = 0;
    const l = link(() => 1_000_000);
    const v = new Viewer('s', 1, l, 10_000, () => tooSlow++);
    v.start(init, fragments.slice(0, 1));
    for (const f of fragments.slice(1, 30)) v.handleUnit(f); // joins at 10 and 20 missed, then 30 is not there
    expect(tooSlow).toBe(0);
    v.handleUnit(fragments[0]); // a third join fragment (reused object is fine for the policy)
    expect(tooSlow).toBe(1);
    v.handleUnit(fragments[10]);
    expect(tooSlow).toBe(1);
    expect(l.sent).toEqual([init.message]); // the socket was full from the start: no replay either
  });

  it('does not queue the buffered segment on a socket that is already full; starts at the next join once it drains', () => {
    let buffered = 50_000;
    const l = link(() => buffered);
    const v = new Viewer('s', 1, l, 10_000);
    v.start(init, fragments.slice(10, 15)); // a join fragment and 4 more: ~5 messages held back
    expect(l.sent).toEqual([init.message]);
    expect(v.state).toBe('awaiting-join');
    expect(v.skippedFragments).toBe(5);
    for (const f of fragments.slice(15, 20)) v.handleUnit(f); // live, not joins: still waiting
    expect(l.sent).toHaveLength(1);
    buffered = 0;
    for (const f of fragments.slice(20, 23)) v.handleUnit(f); // 20 is a join fragment
    expect(v.state).toBe('live');
    expect(l.sent).toEqual([init.message, fragments[20].message, fragments[21].message, fragments[22].message]);
    expect(l.replayed).toBe(1); // only the init segment was a replay
  });

  it('sends a new init segment and waits for a join fragment after it', () => {
    const l = link();
    const v = new Viewer('s', 1, l, 1024);
    v.start(init, fragments.slice(0, 1));
    v.handleUnit(init);
    expect(v.state).toBe('awaiting-join');
    v.handleUnit(fragments[1]);
    expect(l.sent.at(-1)).toBe(init.message);
  });

  it('statistics: delivery latency of live fragments (not replays), skipped segments, its watcher', () => {
    let buffered = 0;
    let now = 0;
    const totals = new RelayTotals();
    const watcher = { userId: 'u1', email: 'p@vigil.test', via: 'session' as const };
    const v = new Viewer('s', 1, link(() => buffered), 10_000, undefined, { totals, clock: () => now, watcher });
    expect(v.stats.watcher).toBe(watcher);
    v.start(init, fragments.slice(0, 2)); // replayed at join: not live latency
    for (const f of fragments.slice(2, 5)) {
      now = f.captureTimeMs! + 250;
      v.handleUnit(f);
    }
    expect(v.stats.deliveryLatency(now)).toMatchObject({ count: 3, min: 250, max: 250, avg: 250 });
    buffered = 20_000; // falls behind at 5 (the rest of that segment), then misses the join fragment at 10
    for (const f of fragments.slice(5, 20)) v.handleUnit(f);
    buffered = 0;
    for (const f of fragments.slice(20, 22)) v.handleUnit(f);
    expect(v.state).toBe('live');
    expect(v.skippedFragments).toBe(15);
    expect(v.stats.skippedSegments).toBe(2);
    expect(totals.skippedSegments).toBe(2);
    expect(totals.viewerLatencySeconds.snapshot().count).toBe(5);
    expect(v.bufferedBytes).toBe(0);
  });
});
