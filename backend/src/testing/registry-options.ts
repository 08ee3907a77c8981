import type { StreamRegistryOptions } from '../relay/stream-registry';

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
