#!/usr/bin/env node
// The peer of the fan-out benchmark (fanout.bench.ts): a bare `ws` broadcast server and nothing
// else. A client on /publish is the publisher; every other client is a viewer. Each binary
// message from a publisher goes to every open viewer as it is (one shared buffer, no copy, no
// parsing, no back-pressure policy). No auth, no disk, no JSON. Prints `listening <port>`.
// Usage: node bare-broadcast.mjs [port]   (0 or none: a free port)
import { WebSocketServer } from 'ws';

const wss = new WebSocketServer({ host: '127.0.0.1', port: Number(process.argv[2] ?? 0), perMessageDeflate: false });
const viewers = new Set();
wss.on('connection', (socket, req) => {
  if (req.url === '/publish') {
    socket.on('message', (data, isBinary) => {
      if (!isBinary) return;
      for (const v of viewers) if (v.readyState === 1) v.send(data, { binary: true });
    });
    return;
  }
  viewers.add(socket);
  socket.on('close', () => viewers.delete(socket));
  socket.on('error', () => viewers.delete(socket));
});
wss.on('listening', () => console.log(`listening ${wss.address().port}`));
process.on('SIGTERM', () => process.exit(0));
