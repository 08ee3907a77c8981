/**
 * Memory buffer of one stream: what the relay holds for joining viewers after 60 s of
 * fragments, against the bytes of the window it must cover (moved here from relay.bench.ts,
 * whose counter-socket fan-out figure loadgen/bench/fanout.bench.ts replaces with real sockets).
 * Prints a markdown section. Run through `npm run bench`.
 */
import { StreamRegistry } from '../src/relay/stream-registry';
import { streamMessages, toUnits } from '../src/testing/media-fixtures';
import { testRegistryOptions } from '../src/testing/registry-options';

const BENCH_OPTIONS = testRegistryOptions({ bufferStreamBytes: 64 << 20, bufferTotalBytes: 1 << 30, fps: 5 });

/** A stream whose disk writer does nothing: the benchmark measures the relay's buffer alone. */
function openStream(registry: StreamRegistry, streamId: string) {
  return registry.openStream(
    { streamId, examId: 'e', seatId: 's', encoder: 'webcodecs', userAgent: 'bench', startedAtMs: 0 },
    { open: async () => ({ write: async () => undefined, writeGap: async () => undefined, close: async () => undefined }), lookup: async () => null },
  );
}

/**
 * 300 fragments of 30 KB at 5 fps (60 s, IDR every 25 frames) into one stream.
 * @returns bytes held by its buffer (its messages, and the pool chunks their copies fill), and
 *   the bytes of the last 20 s of fragments
 */
async function bufferMemory(): Promise<{ heldBytes: number; chunkBytes: number; windowBytes: number }> {
  const registry = new StreamRegistry(BENCH_OPTIONS);
  const stream = await openStream(registry, 'mem');
  const units = toUnits(streamMessages(300, 25, 5, 30_000), stream.channel);
  for (const u of units) stream.ingest(u);
  const heldBytes = stream.buffer.bytes;
  const chunkBytes = registry.chunkPool.chunksInUse * registry.chunkPool.chunkBytes;
  const windowBytes = units.slice(-100).reduce((sum, u) => sum + u.message.byteLength, 0); // last 20 s at 5 fps
  await registry.close();
  return { heldBytes, chunkBytes, windowBytes };
}

async function main(): Promise<void> {
  const mem = await bufferMemory();
  console.log(`## Relay memory buffer (backend/bench/buffer-memory.bench.ts)

Memory buffer after 60 s of 30 KB fragments at 5 fps (20 s window, IDR every 5 s, so the window
is exactly four whole segments): ${(mem.heldBytes / 2 ** 20).toFixed(2)} MiB held; ratio to the bytes of the
last 20 s of fragments: ${(mem.heldBytes / mem.windowBytes).toFixed(2)} (1.00 = no extra segments). The buffer keeps one copy of
each message in 16 KiB chunks of a pool shared by all streams (backend/src/relay/chunk-pool.ts): ${(mem.chunkBytes / 2 ** 20).toFixed(2)} MiB
of chunks in use, ${(mem.chunkBytes / mem.windowBytes).toFixed(3)} times the window (1.000 = no chunk partly used).
Fan-out over real sockets: loadgen/bench/fanout.bench.ts; memory per stream of the whole server
with real 1080p fragments: loadgen/bench/server-memory.bench.ts.`);
}

void main();
