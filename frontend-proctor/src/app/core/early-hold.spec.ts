import { mediaMessage, fragment, initSegment } from '../../testing/media-fixtures';
import type { SocketMessage } from '../player/media-pipeline';
import { decodeSocketData } from '../player/socket-decode';
import { MAX_HELD_MESSAGES, holdMessage, holdStep, type HoldState } from './early-hold';

const text = (m: object) => decodeSocketData(JSON.stringify(m));
const subscribed = (streamId: string, channel: number) => text({ type: 'subscribed', streamId, channel, codec: 'avc1.42C01F', width: 640, height: 360 });

function run(messages: SocketMessage[], state: HoldState = { streamId: 's1', channel: null }): { state: HoldState; held: boolean[] } {
  const held: boolean[] = [];
  for (const m of messages) {
    const [next, hold] = holdStep(state, m);
    state = next;
    held.push(hold);
  }
  return { state, held };
}

describe('holdStep', () => {
  it('holds the answer for the early stream and the media on its channel only', () => {
    const r = run([
      text({ type: 'streams', streams: [] }),
      decodeSocketData(mediaMessage('init', initSegment(), { channel: 4, sequence: 1 })), // before the answer: not ours yet
      subscribed('other', 2),
      subscribed('s1', 4),
      decodeSocketData(mediaMessage('init', initSegment(), { channel: 4, sequence: 1 })),
      decodeSocketData(mediaMessage('fragment', fragment(0), { channel: 4, sequence: 2, join: true })),
      decodeSocketData(mediaMessage('fragment', fragment(0), { channel: 2, sequence: 7, join: true })),
      text({ type: 'unsubscribed', channel: 2, reason: 'requested' }),
      text({ type: 'unsubscribed', channel: 4, reason: 'stream-ended' }),
      decodeSocketData(mediaMessage('fragment', fragment(1), { channel: 4, sequence: 3 })),
    ]);
    expect(r.held).toEqual([false, false, false, true, true, true, false, false, true, false]);
    expect(r.state).toEqual({ streamId: 's1', channel: null });
  });

  it('holds an error that answers the subscription (e.g. an unknown stream), not a later one', () => {
    const refused = text({ type: 'error', code: 'unknown-stream', message: 'no stream "s1"', fatal: false });
    expect(run([refused]).held).toEqual([true]);
    expect(run([subscribed('s1', 1), refused]).held).toEqual([true, false]);
    expect(run([decodeSocketData('{')]).held).toEqual([false]);
  });
});

describe('holdMessage', () => {
  it('keeps the newest MAX_HELD_MESSAGES', () => {
    const held: SocketMessage[] = [];
    for (let i = 0; i < MAX_HELD_MESSAGES + 5; i++) holdMessage(held, decodeSocketData(mediaMessage('fragment', fragment(0), { channel: 1, sequence: i + 1 })));
    expect(held).toHaveLength(MAX_HELD_MESSAGES);
    expect(held[0]!.type === 'media' && held[0]!.header.sequence).toBe(6);
  });
});
