import WebSocket from 'ws';

/**
 * Closes a client WebSocket and resolves once it is closed: a closing handshake (1000) for an
 * open socket, an immediate terminate for one still connecting, and a terminate after
 * `timeoutMs` (default 5 s) when the server does not answer the handshake.
 */
export async function closeSocket(ws: WebSocket | null, reason: string, timeoutMs = 5000): Promise<void> {
  if (!ws || ws.readyState === WebSocket.CLOSED) return;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, timeoutMs);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
    else ws.close(1000, reason);
  });
}
