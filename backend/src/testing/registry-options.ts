import type { StreamRegistryOptions, StreamWriterFactory } from '../relay/stream-registry';
import type { RecordingStore } from '../recording/recording-store';

/** Registry tunables for tests and benchmarks: the server defaults, with overrides. */
export function testRegistryOptions(overrides: Partial<StreamRegistryOptions> = {}): StreamRegistryOptions {
  return {
    bufferSeconds: 20,
    bufferStreamBytes: 32 << 20,
    bufferTotalBytes: 256 << 20,
    joinMaxAgeSeconds: 3,
    keyframeMinIntervalMs: 1000,
    fps: 1,
    streamEndAfterMs: 60_000,
    ...overrides,
  };
}

/** The relay's writer factory over a real {@link RecordingStore} (tests: real files, no Nest). */
export function storeWriters(store: RecordingStore): StreamWriterFactory {
  return {
    open: async (identity) => {
      const rec = await store.open({ ...identity, createdAtMs: identity.startedAtMs });
      return { write: (u) => rec.write(u), writeGap: (g) => rec.writeGap(g), close: () => rec.close(), resume: rec.resume };
    },
    lookup: (streamId) => store.readMeta(streamId),
  };
}
