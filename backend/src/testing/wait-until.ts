/**
 * Waits for a condition the code under test reaches asynchronously (socket data, a retry).
 * Polls `check` every 5 ms.
 * @param check true once the condition holds
 * @param what the condition, for the error
 * @param timeoutMs how long to wait, ms
 * @throws Error `timed out waiting for <what>` when it does not hold within `timeoutMs`
 */
export async function waitUntil(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
