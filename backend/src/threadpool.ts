/**
 * libuv's thread pool runs every file-system call of the recording path (write, fdatasync,
 * open). With its default of 4 threads, one slow fdatasync (this kind of disk has a tail of
 * 35–85 ms) holds a quarter of the pool and the acks of other streams queue behind it: at
 * 500 Sentinels on one core, ack p99 was 193–353 ms with 4 threads and 132–181 ms with 16
 * (loadgen, two runs each). 16 unless the operator set `UV_THREADPOOL_SIZE`.
 *
 * Imported first by main.ts: the pool is created at the first call that uses it, so the
 * variable must be set before any asynchronous file-system call.
 */
process.env['UV_THREADPOOL_SIZE'] ??= '16';

export {};
