import type { KeyframeReason } from '@vigil/protocol';
import { KeyframeRequester } from './keyframe-requester';

describe('KeyframeRequester', () => {
  function setup(connected = true) {
    const sent: KeyframeReason[] = [];
    const requester = new KeyframeRequester(1000, (reason) => {
      if (connected) sent.push(reason);
      return connected;
    });
    return { sent, requester };
  }

  it('coalesces many joiners into one request until a join fragment arrives', () => {
    const { sent, requester } = setup();
    expect(requester.request('viewer-join', 0)).toBe(true);
    expect(requester.request('viewer-join', 10)).toBe(false);
    expect(requester.request('viewer-join', 5000)).toBe(false);
    expect(sent).toEqual(['viewer-join']);
    requester.handleJoinFragment();
    expect(requester.isPending).toBe(false);
    expect(requester.request('viewer-join', 5001)).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it('never sends two requests within the minimum interval', () => {
    const { sent, requester } = setup();
    requester.request('admin', 0);
    requester.handleJoinFragment();
    expect(requester.request('admin', 999)).toBe(false);
    expect(requester.request('admin', 1000)).toBe(true);
    expect(sent).toEqual(['admin', 'admin']);
  });

  it('sends nothing without a Sentinel and stays ready for one', () => {
    const { sent, requester } = setup(false);
    expect(requester.request('viewer-join', 0)).toBe(false);
    expect(requester.isPending).toBe(false);
    expect(sent).toEqual([]);
  });

  it('forgets a request lost with a dropped connection', () => {
    const { sent, requester } = setup();
    requester.request('viewer-join', 0);
    requester.reset();
    expect(requester.request('viewer-join', 1)).toBe(true);
    expect(sent).toHaveLength(2);
  });

  it('rejects a negative interval', () => {
    expect(() => new KeyframeRequester(-1, () => true)).toThrow(TypeError);
  });
});
