/**
 * Runs `call` and swallows what it throws: for closing a socket that may be gone already and
 * for event listeners (logging), whose failure must never break a session or reach the
 * client that happened to trigger it.
 */
export function ignoreErrors(call: () => void): void {
  try {
    call();
  } catch {
    // see the function comment
  }
}
