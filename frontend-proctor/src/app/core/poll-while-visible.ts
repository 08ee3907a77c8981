import { EMPTY, Observable, distinctUntilChanged, exhaustMap, fromEvent, map, startWith, switchMap, timer } from 'rxjs';

/**
 * Runs `request` after `firstAfterMs` (default: now) and every `periodMs` while the document
 * is visible (HTML Page Visibility): nothing while the tab is hidden, again when it is visible;
 * never two requests at once (a slow answer delays the next one).
 */
export function pollWhileVisible<T>(request: () => Observable<T>, periodMs: number, firstAfterMs = 0): Observable<T> {
  const visible$ = fromEvent(document, 'visibilitychange').pipe(
    startWith(null),
    map(() => document.visibilityState !== 'hidden'),
    distinctUntilChanged(),
  );
  return visible$.pipe(
    switchMap((visible) => (visible ? timer(firstAfterMs, periodMs) : EMPTY)),
    exhaustMap(() => request()),
  );
}
