import { checkStop, GENERATOR_BUSY_LOOP_MS, generatorBusyNote, type StopThresholds } from './stop-conditions';

const limits: StopThresholds = { maxUnackedAgeMs: 10_000, maxAckP99Ms: 2000, maxRelayP99Ms: 1500, minSamples: 20 };
const calm = { oldestUnackedAgeMs: 500, ack: { count: 100, p99: 50 }, relay: { count: 100, p99: 80 } };

describe('checkStop', () => {
  it('goes on while everything is within limits', () => {
    expect(checkStop(calm, limits)).toBeNull();
    expect(checkStop({ oldestUnackedAgeMs: null, ack: { count: 0, p99: null }, relay: { count: 0, p99: null } }, limits)).toBeNull();
  });

  it('stops for a message unacknowledged too long (lost)', () => {
    expect(checkStop({ ...calm, oldestUnackedAgeMs: 10_001 }, limits)).toMatchObject({ kind: 'fragment-lost', valueMs: 10_001, thresholdMs: 10_000 });
  });

  it('stops for the ack p99, then the relay p99, with enough samples only', () => {
    expect(checkStop({ ...calm, ack: { count: 100, p99: 2500 } }, limits)).toMatchObject({ kind: 'ack-p99', valueMs: 2500 });
    expect(checkStop({ ...calm, ack: { count: 19, p99: 2500 } }, limits)).toBeNull();
    expect(checkStop({ ...calm, relay: { count: 20, p99: 1501 } }, limits)).toMatchObject({ kind: 'relay-p99', thresholdMs: 1500 });
    expect(checkStop({ ...calm, oldestUnackedAgeMs: 20_000, ack: { count: 100, p99: 2500 } }, limits)?.kind).toBe('fragment-lost');
  });

  it('applies only the lost condition while warming up', () => {
    const bad = { oldestUnackedAgeMs: 500, ack: { count: 100, p99: 9000 }, relay: { count: 100, p99: 9000 }, warmingUp: true };
    expect(checkStop(bad, limits)).toBeNull();
    expect(checkStop({ ...bad, oldestUnackedAgeMs: 10_001 }, limits)?.kind).toBe('fragment-lost');
  });

  it('ignores disabled conditions', () => {
    const none: StopThresholds = { maxUnackedAgeMs: null, maxAckP99Ms: null, maxRelayP99Ms: null, minSamples: 1 };
    expect(checkStop({ oldestUnackedAgeMs: 1e9, ack: { count: 1e6, p99: 1e9 }, relay: { count: 1e6, p99: 1e9 } }, none)).toBeNull();
  });
});

describe('generatorBusyNote', () => {
  it('names the generator loop delay in a latency stop from the threshold on, with the figure', () => {
    expect(GENERATOR_BUSY_LOOP_MS).toBe(20);
    expect(generatorBusyNote({ kind: 'ack-p99' }, 19.9)).toBeNull();
    expect(generatorBusyNote({ kind: 'ack-p99' }, 20)).toBe(
      "the load generator was busy too: its own event-loop delay reached p99 20 ms in a second of that window, and it adds to every latency it measured then (give it more CPU or another machine to tell the server's share)",
    );
    expect(generatorBusyNote({ kind: 'relay-p99' }, 127.8)).toContain('reached p99 128 ms');
  });

  it('says nothing for a lost message, an unmeasured loop or a non-number', () => {
    expect(generatorBusyNote({ kind: 'fragment-lost' }, 500)).toBeNull();
    expect(generatorBusyNote({ kind: 'ack-p99' }, null)).toBeNull();
    expect(generatorBusyNote({ kind: 'ack-p99' }, Number.NaN)).toBeNull();
  });
});
