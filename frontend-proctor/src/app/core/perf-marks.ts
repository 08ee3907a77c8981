/**
 * User Timing marks (W3C User Timing Level 3) of the portal's start-up, once per page:
 * `vigil:auth-checked`, `vigil:socket-open`, `vigil:subscribe-sent` (the page's first
 * `subscribe`), `vigil:player-created`, `vigil:subscribed` (the player had the server's
 * answer), `vigil:first-frame`. The page-open benchmark (e2e/bench/page-open.bench.ts) reads them
 * with `performance.getEntriesByType('mark')`; one entry each, so they cost nothing.
 */
export function markOnce(name: string): void {
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  if (performance.getEntriesByName(name, 'mark').length === 0) performance.mark(name);
}
