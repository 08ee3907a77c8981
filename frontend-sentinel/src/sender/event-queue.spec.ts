import { encodeControl, parseSentinelMessage } from '@vigil/protocol';
import { EventQueue, randomPageId } from './event-queue';

describe('EventQueue', () => {
  it('numbers events from 1, sends each once, resends the unacknowledged after rewind', () => {
    const q = new EventQueue({ page: 'pg' });
    q.push('reload', 1000);
    q.push('screen-blank', 2000, { state: 'start', heldMs: 2000, luma: 0 });
    const sent: number[] = [];
    for (let e = q.peekUnsent(); e; e = q.peekUnsent()) {
      sent.push(e.seq);
      q.markSent();
    }
    expect(sent).toEqual([1, 2]);
    q.ack(1);
    expect(q.depth).toBe(1);
    expect(q.peekUnsent()).toBeUndefined();
    q.rewind();
    expect(q.peekUnsent()).toMatchObject({ seq: 2, kind: 'screen-blank' });
    q.ack(2);
    expect(q.depth).toBe(0);
    expect(q.lastAcked).toBe(2);
  });

  it('makes valid wire messages', () => {
    const q = new EventQueue({ page: randomPageId() });
    const e = q.push('screen-size-changed', 1_764_000_000_000, { width: 2560, height: 1440 });
    const message = q.toMessage(e);
    expect(parseSentinelMessage(encodeControl(message))).toEqual(message);
    expect(q.toMessage(q.push('online', 5))).toEqual({ type: 'event', page: q.page, seq: 2, kind: 'online', atMs: 5 });
  });

  it('is bounded: the oldest is dropped and counted; the send cursor stays on the right event', () => {
    const q = new EventQueue({ page: 'pg', maxEvents: 3 });
    q.push('online', 1);
    q.push('offline', 2);
    q.peekUnsent();
    q.markSent(); // seq 1 sent
    q.push('online', 3);
    q.push('offline', 4); // drops seq 1
    expect(q.depth).toBe(3);
    expect(q.dropped).toBe(1);
    expect(q.peekUnsent()!.seq).toBe(2);
  });

  it('page ids are 12 base64url characters; bad ones are refused', () => {
    expect(randomPageId()).toMatch(/^[A-Za-z0-9_-]{12}$/);
    expect(randomPageId(() => new Uint8Array(9))).toBe('AAAAAAAAAAAA');
    expect(() => new EventQueue({ page: 'a/b' })).toThrow(TypeError);
    expect(() => new EventQueue({ page: 'p', maxEvents: 0 })).toThrow(TypeError);
  });
});
