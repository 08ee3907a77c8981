/**
 * Every byte a browser sends over a WebSocket is masked (RFC 6455 §5.3) and `ws` unmasks it
 * on the event loop. Without its native companion `bufferutil` it does so in a JavaScript
 * loop: about 450 µs for one 223 kB 1080p IDR on this machine, 13 µs with `bufferutil`
 * (issue 10). These check that the server's `ws` really runs the native code.
 */
import { randomBytes } from 'node:crypto';
import { AddressInfo } from 'node:net';
import path from 'node:path';
import WebSocket, { WebSocketServer } from 'ws';

describe('ws unmasks with bufferutil (native)', () => {
  it('bufferutil loads its prebuilt native module, not its JavaScript fallback', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const native = require('bufferutil') as { unmask: unknown };
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const fallback = require('bufferutil/fallback') as { unmask: unknown };
    expect(native.unmask).not.toBe(fallback.unmask);
    expect(String(native.unmask)).toContain('[native code]');
  });

  it("ws's unmask is bufferutil's for messages of 32 bytes and more, and unmasks a real client's message", async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const bufferUtil = require(path.join(path.dirname(require.resolve('ws')), 'lib', 'buffer-util.js')) as { unmask: (b: Buffer, m: Buffer) => void };
    expect(String(bufferUtil.unmask)).toContain('bufferUtil.unmask');
    expect(process.env['WS_NO_BUFFER_UTIL']).toBeUndefined();

    const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((r) => server.once('listening', r));
    const received = new Promise<Buffer>((resolve) => server.once('connection', (s) => s.once('message', (d) => resolve(d as Buffer))));
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await new Promise((r) => client.once('open', r));
    const sent = randomBytes(223_000);
    client.send(sent); // masked with a random key by the client
    expect(Buffer.compare(await received, sent)).toBe(0);
    client.close();
    await new Promise((r) => server.close(r));
  });
});
