import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { from, of } from 'rxjs';
import { WebSocket, WebSocketServer } from 'ws';
import { RawWsAdapter } from './raw-ws-adapter';

/** A real server-side socket and its client. */
async function socketPair(): Promise<{ server: WebSocketServer; serverSocket: WebSocket; client: WebSocket }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await once(server, 'listening');
  const connected = once(server, 'connection') as Promise<[WebSocket]>;
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const [serverSocket] = await connected;
  await once(client, 'open');
  return { server, serverSocket, client };
}

describe('RawWsAdapter', () => {
  it('binds nothing to the messages of a gateway without handlers (ours read raw frames)', async () => {
    const { server, serverSocket, client } = await socketPair();
    try {
      const ownListener = jest.fn();
      serverSocket.on('message', ownListener);
      new RawWsAdapter().bindMessageHandlers(serverSocket, [], (x) => of(x));
      expect(serverSocket.listenerCount('message')).toBe(1); // the gateway's own, nothing of Nest's
      client.send(JSON.stringify({ event: 'ping', data: 1 }));
      client.send(new Uint8Array([1, 2, 3]));
      await new Promise<void>((resolve) => {
        const wait = () => (ownListener.mock.calls.length >= 2 ? resolve() : setTimeout(wait, 5));
        wait();
      });
      expect(ownListener).toHaveBeenCalledTimes(2);
    } finally {
      client.close();
      server.close();
    }
  });

  it("keeps Nest's routing for a gateway that declares handlers", async () => {
    const { server, serverSocket, client } = await socketPair();
    try {
      new RawWsAdapter().bindMessageHandlers(serverSocket, [{ message: 'ping', methodName: 'ping', isAckHandledManually: false, callback: async (data: number) => ({ pong: data + 1 }) }], (x) => from(x as Promise<unknown>));
      expect(serverSocket.listenerCount('message')).toBe(1);
      const reply = once(client, 'message') as Promise<[Buffer]>;
      client.send(JSON.stringify({ event: 'ping', data: 41 }));
      expect(JSON.parse(String((await reply)[0]))).toEqual({ pong: 42 });
    } finally {
      client.close();
      server.close();
    }
  });
});
