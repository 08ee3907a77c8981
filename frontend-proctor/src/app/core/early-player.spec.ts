import { parseServerToProctor } from '@vigil/protocol';
import { parseSubscriptionText } from './early-player';

describe('parseSubscriptionText (the early player reads text frames without the protocol schemas)', () => {
  const valid = [
    { type: 'subscribed', streamId: 'stream-1', channel: 3, codec: 'avc1.42E01F', width: 1920, height: 1080 },
    { type: 'subscribed', streamId: 'stream-1', channel: 1, codec: null, width: 0, height: 0 },
    { type: 'unsubscribed', channel: 3, reason: 'stream-ended' },
    { type: 'error', code: 'unknown-stream', message: 'no such stream', fatal: false },
  ];

  it.each(valid)('reads %j as libs/protocol does', (m) => {
    const text = JSON.stringify(m);
    expect(parseSubscriptionText(text)).toEqual(parseServerToProctor(text));
  });

  it.each([
    ['a stream list (not a subscription message)', { type: 'streams', streams: [] }],
    ['a negative channel', { type: 'unsubscribed', channel: -1, reason: 'requested' }],
    ['a fractional channel', { type: 'subscribed', streamId: 's', channel: 1.5, codec: null, width: 0, height: 0 }],
    ['an unknown reason', { type: 'unsubscribed', channel: 2, reason: 'bored' }],
    ['a missing stream id', { type: 'subscribed', channel: 2, codec: null, width: 0, height: 0 }],
    ['a width out of range', { type: 'subscribed', streamId: 's', channel: 2, codec: null, width: 70000, height: 0 }],
    ['an error without fatal', { type: 'error', code: 'internal', message: 'x' }],
    ['not an object', 42],
  ])('refuses %s with an error', (_what, m) => {
    expect(() => parseSubscriptionText(JSON.stringify(m))).toThrow();
  });

  it('refuses text that is not JSON', () => {
    expect(() => parseSubscriptionText('{"type":')).toThrow(SyntaxError);
  });
});
