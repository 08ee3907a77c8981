import { OutboundQueue, type OutboundMessage } from './outbound-queue';

const MiB = 1024 * 1024;

function msg(sequence: number, bytes = 100, kind: OutboundMessage['kind'] = 'fragment'): OutboundMessage {
  return { sequence, kind, join: false, data: new Uint8Array(bytes) };
}

function drain(q: OutboundQueue): number[] {
  const sent: number[] = [];
  for (let m = q.peekUnsent(); m !== undefined; m = q.peekUnsent()) {
    sent.push(m.sequence);
    q.markSent();
  }
  return sent;
}

describe('OutboundQueue', () => {
  it('starts empty at sequence 1', () => {
    const q = new OutboundQueue();
    expect(q).toMatchObject({ depth: 0, bytes: 0, lastAcked: 0, nextSequence: 1, highestSequence: 0, overLimit: false });
    expect(q.maxBytes).toBe(256 * MiB);
    expect(q.peekUnsent()).toBeUndefined();
  });

  it('sends in order and counts bytes', () => {
    const q = new OutboundQueue();
    q.push(msg(1, 10, 'init'));
    q.push(msg(2, 20));
    q.push(msg(3, 30));
    expect(q.bytes).toBe(60);
    expect(q.unsentCount).toBe(3);
    expect(drain(q)).toEqual([1, 2, 3]);
    expect(q.unsentCount).toBe(0);
    expect(q.depth).toBe(3);
  });

  it('drops messages on a cumulative ack', () => {
    const q = new OutboundQueue();
    for (let s = 1; s <= 5; s++) q.push(msg(s, 10));
    drain(q);
    expect(q.ack(3)).toBe(3);
    expect(q).toMatchObject({ depth: 2, bytes: 20, lastAcked: 3 });
    expect(q.ack(2)).toBe(0); // duplicate / old ack: harmless
    expect(q.ack(3)).toBe(0);
    expect(q.ack(5)).toBe(2);
    expect(q).toMatchObject({ depth: 0, bytes: 0, lastAcked: 5 });
  });

  it('resends everything unacknowledged after rewind (reconnect)', () => {
    const q = new OutboundQueue();
    for (let s = 1; s <= 6; s++) q.push(msg(s));
    expect(drain(q)).toEqual([1, 2, 3, 4, 5, 6]);
    q.ack(2); // the server had 1..2 before the connection dropped
    q.rewind();
    q.ack(4); // welcome.lastAckedSequence = 4
    expect(drain(q)).toEqual([5, 6]);
    q.push(msg(7));
    expect(drain(q)).toEqual([7]);
  });

  it('keeps the send cursor valid when acks overtake it', () => {
    const q = new OutboundQueue();
    for (let s = 1; s <= 4; s++) q.push(msg(s));
    q.markSent();
    q.ack(3);
    expect(q.peekUnsent()!.sequence).toBe(4);
  });

  it('rejects acks beyond what was pushed with a RangeError', () => {
    const q = new OutboundQueue();
    q.push(msg(1));
    expect(() => q.ack(2)).toThrow('ack 2 is beyond the highest sequence pushed (1)');
    expect(q.depth).toBe(1);
  });

  it('reports overLimit at the byte bound and clears it below 75 %', () => {
    const q = new OutboundQueue({ maxBytes: 4 * MiB });
    for (let s = 1; s <= 3; s++) q.push(msg(s, MiB));
    expect(q.overLimit).toBe(false);
    q.push(msg(4, MiB));
    expect(q.bytes).toBe(4 * MiB);
    expect(q.overLimit).toBe(true);
    q.push(msg(5, MiB)); // never refused: a refusal would leave a gap in the sequence numbers
    expect(q.depth).toBe(5);
    q.ack(2); // 3 MiB left: still >= 75 % (3 MiB)
    expect(q.overLimit).toBe(true);
    q.ack(3); // 2 MiB
    expect(q.overLimit).toBe(false);
  });

  it('resets for a new stream', () => {
    const q = new OutboundQueue();
    for (let s = 1; s <= 3; s++) q.push(msg(s));
    q.reset();
    expect(q).toMatchObject({ depth: 0, bytes: 0, lastAcked: 0, nextSequence: 1 });
    q.reset(10);
    expect(q.nextSequence).toBe(10);
    expect(q.lastAcked).toBe(9);
    q.push(msg(10));
    expect(drain(q)).toEqual([10]);
  });

  it('stays consistent over many messages (compaction)', () => {
    const q = new OutboundQueue();
    for (let s = 1; s <= 5000; s++) {
      q.push(msg(s, 1));
      q.markSent();
      if (s % 7 === 0) q.ack(s - 3);
    }
    expect(q.lastAcked).toBe(4995); // last ack at s = 4998
    expect(q.depth).toBe(5);
    expect(q.bytes).toBe(5);
    q.rewind();
    expect(drain(q)).toEqual([4996, 4997, 4998, 4999, 5000]);
  });

  it('throws on bad messages and options', () => {
    const q = new OutboundQueue();
    expect(() => q.push(msg(2))).toThrow(RangeError);
    expect(() => q.push(msg(2))).toThrow('message.sequence must be 1 (consecutive), got 2');
    expect(() => q.push(null as never)).toThrow('message must be an object, got null');
    expect(() => q.push({ ...msg(1), sequence: 0 })).toThrow('message.sequence must be an integer >= 1, got 0');
    expect(() => q.push({ ...msg(1), kind: 'video' as never })).toThrow("message.kind must be 'init' or 'fragment', got \"video\"");
    expect(() => q.push({ ...msg(1), join: 1 as never })).toThrow('message.join must be a boolean, got 1');
    expect(() => q.push({ ...msg(1), data: new Uint8Array(0) })).toThrow('message.data must be a non-empty Uint8Array');
    expect(() => q.push({ ...msg(1), data: [1, 2] as never })).toThrow(TypeError);
    expect(() => q.ack(-1)).toThrow('sequence must be an integer >= 0, got -1');
    expect(() => q.ack(1.5)).toThrow(TypeError);
    expect(() => new OutboundQueue({ maxBytes: 1000 })).toThrow('options.maxBytes must be an integer >= 1048576, got 1000');
    expect(() => new OutboundQueue({ firstSequence: 0 })).toThrow(TypeError);
    expect(() => new OutboundQueue(null as never)).toThrow('options must be an object');
    expect(() => q.reset(0)).toThrow(TypeError);
  });
});

describe('OutboundQueue: send gate, media duration, gaps (backlog)', () => {
  it('holds back messages beyond the send gate', () => {
    const q = new OutboundQueue();
    expect(q.sendableThrough).toBe(Number.MAX_SAFE_INTEGER);
    q.allowSendThrough(1);
    for (let s = 1; s <= 3; s++) q.push(msg(s));
    expect(drain(q)).toEqual([1]);
    expect(q.unsentCount).toBe(2);
    q.allowSendThrough(3);
    expect(drain(q)).toEqual([2, 3]);
    expect(() => q.allowSendThrough(-1)).toThrow(TypeError);
    expect(() => q.allowSendThrough(1.5)).toThrow(TypeError);
  });

  it('sums the media duration of unacknowledged fragments (queued seconds)', () => {
    const q = new OutboundQueue();
    q.push(msg(1, 10, 'init'));
    q.push({ ...msg(2), durationTicks: 90000 });
    q.push({ ...msg(3), durationTicks: 18000 });
    expect(q.mediaTicks).toBe(108000);
    expect(q.fragmentCount).toBe(2);
    q.ack(2);
    expect(q.mediaTicks).toBe(18000);
    expect(q.fragmentCount).toBe(1);
    q.reset(10);
    expect(q.mediaTicks).toBe(0);
    expect(q.fragmentCount).toBe(0);
  });

  it('finds unacknowledged messages by sequence number', () => {
    const q = new OutboundQueue({ firstSequence: 5 });
    for (let s = 5; s <= 8; s++) q.push(msg(s));
    q.ack(6);
    expect(q.get(6)).toBeUndefined();
    expect(q.get(7)?.sequence).toBe(7);
    expect(q.get(9)).toBeUndefined();
    expect(q.slice(1).map((m) => m.sequence)).toEqual([7, 8]);
    expect(q.slice(8).map((m) => m.sequence)).toEqual([8]);
    expect(q.slice(7, 1).map((m) => m.sequence)).toEqual([7]);
    expect(q.slice(9)).toEqual([]);
  });

  it('checks timing and gap fields and refuses bad ones without changing the queue', () => {
    const q = new OutboundQueue();
    expect(() => q.push({ ...msg(1), durationTicks: -1 })).toThrow('message.durationTicks must be an integer in [0, 4294967295], got -1');
    expect(() => q.push({ ...msg(1), captureEndMs: Number.NaN })).toThrow(TypeError);
    expect(() => q.push({ ...msg(1), gaps: [{ fromMs: 5, toMs: 4, reason: 'network' }] })).toThrow('message.gaps[0].toMs must be a finite number in [5, 8640000000000000], got 4');
    expect(() => q.push({ ...msg(1), gaps: [{ fromMs: 1, toMs: 4, reason: 'lunch' as never }] })).toThrow(
      'message.gaps[0].reason must be one of network, capture-stopped, sentinel-restarted, storage-failed, unknown, got "lunch"',
    );
    expect(() => q.push({ ...msg(1), gaps: 'x' as never })).toThrow('message.gaps must be an array, got "x"');
    expect(q).toMatchObject({ depth: 0, nextSequence: 1 });
    q.push({ ...msg(1), gaps: [{ fromMs: 1, toMs: 4, reason: 'capture-stopped' }] });
    expect(q.depth).toBe(1);
  });
});
