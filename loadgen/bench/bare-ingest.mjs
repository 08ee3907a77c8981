#!/usr/bin/env node
// The floor of ingest (issue 10): the least a Node.js server must do per fragment to promise
// what Vigil promises, and nothing else. `ws` on /ws/sentinel; a `hello` gets a `welcome` (a new
// stream id, nothing acknowledged yet); each binary media message's fMP4 bytes are appended to
// one file per connection with a synchronized write (O_DSYNC: durable when it returns, as
// Vigil's appends), then `ack` with the message's sequence number. One write at a time per
// connection, acks in order. No authorization, no validation, no memory buffer, no relay, no
// index, no database, no reconnect or resend handling (a reconnect is a new stream). Other text
// messages (status, events) are read and dropped. The load generator drives it with
// `--spawn-bare` (loadgen/src/spawn-server.ts), so the same Sentinels measure it and Vigil.
//
// Wire format (libs/protocol, version 1; copied here so this file runs without a build):
// media header 16 bytes, big-endian: kind u8, version u8, flags u16, channel u32, sequence
// high u32, sequence low u32; then the payload.
//
// Usage: node bare-ingest.mjs DATA_DIR FPS   (prints `listening <port>` once it accepts connections)
import { closeSync, constants, mkdirSync, openSync, write } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { WebSocketServer } from 'ws';

const [dataDir, fpsText] = process.argv.slice(2);
const fps = Number(fpsText);
if (!dataDir || !(fps > 0)) {
  console.error('usage: node bare-ingest.mjs DATA_DIR FPS');
  process.exit(2);
}
mkdirSync(dataDir, { recursive: true });

const HEADER_BYTES = 16;
const APPEND_DSYNC = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_DSYNC;

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, path: '/ws/sentinel', perMessageDeflate: false, maxPayload: 16 << 20 });
wss.on('connection', (socket) => {
  let fd = -1;
  let position = 0;
  /** Messages waiting for their write, in arrival order; the first is being written. */
  const queue = [];
  let closed = false;
  /** Closes the file once no write is in flight. */
  const closeFile = () => {
    if (fd >= 0) closeSync(fd);
    fd = -1;
  };
  const close = () => {
    closed = true;
    if (queue.length === 0) closeFile();
  };
  const writeNext = () => {
    if (closed) {
      queue.length = 0;
      closeFile();
      return;
    }
    const message = queue[0];
    if (!message || fd < 0) return;
    const sequence = message.readUInt32BE(8) * 0x1_0000_0000 + message.readUInt32BE(12);
    const length = message.length - HEADER_BYTES;
    write(fd, message, HEADER_BYTES, length, position, (err, written) => {
      if (err || written !== length) {
        console.error(`write failed: ${err?.message ?? `${written} of ${length} bytes`}`);
        queue.length = 0;
        closeFile();
        socket.terminate();
        return;
      }
      position += length;
      queue.shift();
      if (socket.readyState === 1) socket.send(`{"type":"ack","sequence":${sequence}}`);
      writeNext();
    });
  };
  socket.on('message', (data, isBinary) => {
    if (isBinary) {
      if (fd < 0 || closed || data.length <= HEADER_BYTES) return;
      queue.push(data);
      if (queue.length === 1) writeNext();
      return;
    }
    let message;
    try {
      message = JSON.parse(String(data));
    } catch {
      return;
    }
    if (message?.type !== 'hello' || fd >= 0) return;
    const streamId = randomUUID();
    fd = openSync(path.join(dataDir, `${streamId}.mp4`), APPEND_DSYNC);
    socket.send(JSON.stringify({ type: 'welcome', protocol: 1, streamId, lastAckedSequence: 0, fps }));
  });
  socket.on('close', close);
  socket.on('error', close);
});
wss.on('listening', () => console.log(`listening ${wss.address().port}`));
process.on('SIGTERM', () => process.exit(0));
