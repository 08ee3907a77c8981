import type { EncodedVideo } from '../encoder-backend';
import { encoderSettingsFor } from '../encoder-settings';
import { OpenH264WasmBackend, type OpenH264FrameStats } from './openh264-backend';
import type { WorkerRequest, WorkerResponse } from './worker-protocol';

/** A Worker double: records what the page posts; the test answers as the Worker would. */
class FakeWorker {
  onmessage: ((event: MessageEvent<WorkerResponse>) => void) | null = null;
  onerror: ((event: ErrorEvent) => void) | null = null;
  readonly posted: { message: WorkerRequest; transfer: unknown[] }[] = [];
  terminated = false;

  postMessage(message: WorkerRequest, transfer: unknown[] = []): void {
    if (this.terminated) throw new Error('terminated');
    this.posted.push({ message, transfer });
  }
  terminate(): void {
    this.terminated = true;
  }
  answer(message: WorkerResponse): void {
    this.onmessage?.({ data: message } as MessageEvent<WorkerResponse>);
  }
  /** The id of the last request of this type. */
  lastId(type: 'configure' | 'flush'): number {
    const found = [...this.posted].reverse().find((p) => p.message.type === type);
    if (!found || !('id' in found.message)) throw new Error(`no ${type} request`);
    return found.message.id;
  }
}

/** A VideoFrame double: clone() gives a new frame; close() is counted. */
function fakeFrame(timestamp: number): VideoFrame & { closed: number; clones: number } {
  const frame = {
    timestamp,
    closed: 0,
    clones: 0,
    clone() {
      frame.clones++;
      return fakeFrame(timestamp);
    },
    close() {
      frame.closed++;
    },
  };
  return frame as unknown as VideoFrame & { closed: number; clones: number };
}

const settings = encoderSettingsFor({ width: 1920, height: 1080 }, 5);

function setup() {
  const worker = new FakeWorker();
  const outputs: EncodedVideo[] = [];
  const errors: Error[] = [];
  const stats: OpenH264FrameStats[] = [];
  const urls: unknown[] = [];
  const backend = new OpenH264WasmBackend(
    { output: (c) => outputs.push(c), error: (e) => errors.push(e) },
    {
      workerUrl: 'http://h/sentinel/openh264/openh264-worker.js',
      createWorker: (url) => {
        urls.push(url);
        return worker as unknown as Worker;
      },
      onFrameStats: (s) => stats.push(s),
    },
  );
  return { worker, backend, outputs, errors, stats, urls };
}

async function configured() {
  const t = setup();
  const done = t.backend.configure(settings);
  t.worker.answer({ type: 'configured', id: t.worker.lastId('configure') });
  await done;
  return t;
}

const chunk = (timestamp: number): EncodedVideo => ({ type: 'delta', timestamp, data: new Uint8Array([0, 0, 0, 1, 0x41]) });

describe('OpenH264WasmBackend', () => {
  test('configure starts the Worker and sends it the OpenH264 parameters', async () => {
    const { worker, backend, urls } = await configured();
    expect(backend.name).toBe('openh264-wasm');
    expect(urls).toEqual(['http://h/sentinel/openh264/openh264-worker.js']);
    expect(worker.posted[0].message).toEqual({
      type: 'configure',
      id: 1,
      params: { width: 1920, height: 1080, targetBitrate: 1_406_000, maxBitrate: 2_812_000, framerate: 5, levelIdc: 40 },
    });
  });

  test("configure rejects with the Worker's reason; settings OpenH264 cannot encode never reach it", async () => {
    const { worker, backend } = setup();
    const done = backend.configure(settings);
    worker.answer({ type: 'failed', id: worker.lastId('configure'), message: 'cannot load openh264.js' });
    await expect(done).rejects.toThrow('cannot load openh264.js');
    await expect(backend.configure({ ...settings, codec: 'avc1.640028' })).rejects.toThrow('must be H.264 Constrained Baseline');
    expect(worker.posted).toHaveLength(1);
  });

  test('encode transfers a clone (the caller keeps and closes its frame); outputs and stats come back', async () => {
    const { worker, backend, outputs, stats } = await configured();
    const frame = fakeFrame(200_000);
    backend.encode(frame, true);
    expect(frame.clones).toBe(1);
    expect(frame.closed).toBe(0);
    const posted = worker.posted[1];
    expect(posted.message).toMatchObject({ type: 'encode', keyFrame: true });
    expect(posted.transfer).toEqual([(posted.message as { frame: unknown }).frame]);
    expect(backend.queueSize).toBe(1);
    worker.answer({ type: 'chunk', chunk: chunk(200_000), encodeMs: 80, convertMs: 1, input: 'i420' });
    expect(outputs.map((c) => c.timestamp)).toEqual([200_000]);
    expect(stats).toEqual([{ encodeMs: 80, convertMs: 1, input: 'i420' }]);
    expect(backend.queueSize).toBe(0);
  });

  test('a dropped frame leaves the queue without output', async () => {
    const { worker, backend, outputs } = await configured();
    backend.encode(fakeFrame(0), false);
    worker.answer({ type: 'dropped', timestamp: 0 });
    expect(backend.queueSize).toBe(0);
    expect(outputs).toEqual([]);
  });

  test('flush resolves when the Worker has worked through everything before it', async () => {
    const { worker, backend } = await configured();
    let flushed = false;
    const done = backend.flush().then(() => (flushed = true));
    await Promise.resolve();
    expect(flushed).toBe(false);
    worker.answer({ type: 'flushed', id: worker.lastId('flush') });
    await done;
    expect(flushed).toBe(true);
  });

  test('an encode error is reported once, rejects waiters, and makes encode() refuse until reconfigured', async () => {
    const { worker, backend, errors } = await configured();
    backend.encode(fakeFrame(0), false);
    const flushing = backend.flush();
    worker.answer({ type: 'error', message: 'OpenH264 encode failed: out of memory' });
    expect(errors.map((e) => e.message)).toEqual(['OpenH264 encode failed: out of memory']);
    await expect(flushing).rejects.toThrow('out of memory');
    expect(() => backend.encode(fakeFrame(1), false)).toThrow('configure() the encoder before encode()');
  });

  test('a Worker that cannot load reports an error', async () => {
    const { worker, backend, errors } = setup();
    const done = backend.configure(settings);
    worker.onerror?.({ message: '', preventDefault: () => undefined } as unknown as ErrorEvent);
    await expect(done).rejects.toThrow('the OpenH264 worker failed: could not load http://h/sentinel/openh264/openh264-worker.js');
    expect(errors).toHaveLength(1);
  });

  test('close terminates the Worker, is idempotent, and nothing comes out afterwards', async () => {
    const { worker, backend, outputs } = await configured();
    backend.encode(fakeFrame(0), false);
    backend.close();
    backend.close();
    expect(worker.terminated).toBe(true);
    expect(worker.posted.at(-1)?.message).toEqual({ type: 'close' });
    worker.answer({ type: 'chunk', chunk: chunk(0), encodeMs: 1, convertMs: 1, input: 'i420' });
    expect(outputs).toEqual([]);
    expect(backend.queueSize).toBe(0);
    await expect(backend.configure(settings)).rejects.toThrow('closed');
    expect(() => backend.encode(fakeFrame(1), false)).toThrow('configure() the encoder before encode()');
  });

  test('encode before configure throws', () => {
    const { backend } = setup();
    expect(() => backend.encode(fakeFrame(0), false)).toThrow('configure() the encoder before encode()');
  });
});
