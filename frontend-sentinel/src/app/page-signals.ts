/**
 * What the browser tells about the page and the machine, as Sentinel events (browser I/O;
 * issue 11 event track): `reload` (this page was loaded by a reload, Navigation Timing
 * `type === 'reload'`), `online` / `offline`, `page-hidden` / `page-visible` (Page Visibility),
 * and `screens-count` from `screen.isExtended` (Window Management; Chrome), at start and on its
 * `change` event. `screen.isExtended` only says "more than one": `screens` is then 2, meaning
 * two or more.
 */
import type { SentinelEventDetail, SentinelEventKind } from '@vigil/protocol';

/** Reports one event: kind, details. */
export type EmitEvent = (kind: SentinelEventKind, detail?: SentinelEventDetail) => void;

/** Whether this page was loaded by a reload (Navigation Timing Level 2). */
export function pageWasReloaded(): boolean {
  try {
    const entry = performance.getEntriesByType?.('navigation')[0] as PerformanceNavigationTiming | undefined;
    return entry?.type === 'reload';
  } catch {
    return false;
  }
}

/**
 * Starts reporting; sends `reload` (when so) and the screen count at once.
 * @returns a function that stops listening
 */
export function watchPageSignals(emit: EmitEvent): () => void {
  if (pageWasReloaded()) emit('reload');
  const online = () => emit('online');
  const offline = () => emit('offline');
  const visibility = () => emit(document.visibilityState === 'hidden' ? 'page-hidden' : 'page-visible');
  window.addEventListener('online', online);
  window.addEventListener('offline', offline);
  document.addEventListener('visibilitychange', visibility);
  const screenInfo = window.screen as Screen & { isExtended?: boolean } & Partial<EventTarget>;
  const screens = () => {
    if (typeof screenInfo.isExtended === 'boolean') emit('screens-count', { screens: screenInfo.isExtended ? 2 : 1, extended: screenInfo.isExtended });
  };
  screens();
  screenInfo.addEventListener?.('change', screens);
  return () => {
    window.removeEventListener('online', online);
    window.removeEventListener('offline', offline);
    document.removeEventListener('visibilitychange', visibility);
    screenInfo.removeEventListener?.('change', screens);
  };
}
