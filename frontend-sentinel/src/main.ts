/**
 * Entry point of the Sentinel page (`/sentinel/?exam=E&seat=S#token=T`): reads the URL (and
 * takes the token out of the address bar, keeping it in this tab's sessionStorage),
 * builds the pipeline and the status panel, starts, and exposes a read-only status snapshot
 * as `window.__vigilSentinel` for kiosk health checks and tests.
 */
import { loadPageConfig } from './app/config';
import { Sentinel } from './app/sentinel';
import type { SentinelStatus } from './app/status';
import { StatusPanel } from './ui/status-panel';

declare global {
  interface Window {
    /** Read-only status snapshot of the Sentinel (a fresh frozen object on every read). */
    readonly __vigilSentinel: SentinelStatus | { readonly state: 'error'; readonly phase: 'error'; readonly lastError: string };
  }
}

function expose(read: () => Window['__vigilSentinel']): void {
  Object.defineProperty(window, '__vigilSentinel', { get: read, enumerable: true, configurable: false });
}

function main(): void {
  const root = document.getElementById('app') ?? document.body;
  const panel = new StatusPanel(root);
  let sentinel: Sentinel;
  try {
    const config = loadPageConfig(window);
    sentinel = new Sentinel({ config, onChange: () => panel.schedule(() => sentinel.status()) });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    panel.showFatal(message);
    expose(() => Object.freeze({ state: 'error', phase: 'error', lastError: message }));
    return;
  }
  expose(() => sentinel.status());
  panel.onShare(() => void sentinel.shareScreen());
  window.addEventListener('pagehide', () => sentinel.stop());
  panel.render(sentinel.status());
  void sentinel.start().catch((error: unknown) => console.error('Sentinel failed to start', error));
}

main();
