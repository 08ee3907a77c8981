/**
 * Keeps a recording's event track for the review page: fetches the timeline's range once, and
 * while the recording grows its newest part every few seconds and all of it every minute
 * (`planEventsFetch`, as the review player polls the index); merges each answer in
 * (`replaceRange`), and shows the proctor's own flags and notes at once, before a fetch has them
 * (`withLocal`). One fetch at a time; `update()` is called on every player snapshot and on a
 * 1 s clock. No Angular here: the component holds the signal.
 */
import type { StreamEventView, StreamEventsView } from '@vigil/api';
import {
  DEFAULT_EVENTS_POLICY,
  coverageAfter,
  eventKey,
  pendingLocal,
  planEventsFetch,
  replaceRange,
  withLocal,
  type EventsCoverage,
  type EventsFetchPolicy,
} from './event-track';
import type { Span } from './timeline-layout';

/** What the loader tells its owner. */
export interface EventTrackState {
  /** Shown events, oldest first. */
  readonly events: readonly StreamEventView[];
  /** The last answer was cut at the API's limit (10,000). */
  readonly truncated: boolean;
  /** The last fetch failed (message), null when it worked. */
  readonly error: string | null;
}

/** Back-off after a failed fetch, ms. */
const RETRY_MS = 5000;

/** See the file comment. */
export class EventTrackLoader {
  private fetched: StreamEventView[] = [];
  private local: StreamEventView[] = [];
  private known: EventsCoverage | null = null;
  private inFlight = false;
  private retryAtMs = 0;
  private truncated = false;
  private error: string | null = null;
  private destroyed = false;

  constructor(
    private readonly fetch: (fromMs: number, toMs: number) => Promise<StreamEventsView>,
    private readonly onChange: (state: EventTrackState) => void,
    private readonly policy: EventsFetchPolicy = DEFAULT_EVENTS_POLICY,
  ) {}

  /** The timeline's span and the recording's state now: fetches what is due. */
  update(span: Span | null, live: boolean, nowMs = Date.now()): void {
    if (this.destroyed || this.inFlight || nowMs < this.retryAtMs) return;
    const plan = planEventsFetch(span, live, this.known, nowMs, this.policy);
    if (!plan) return;
    this.inFlight = true;
    this.fetch(plan.fromMs, plan.toMs)
      .then((answer) => {
        if (this.destroyed) return;
        // a truncated answer covers up to its last event (the oldest 10,000)
        const coveredTo = answer.truncated && answer.events.length > 0 ? answer.events[answer.events.length - 1]!.atMs : plan.toMs;
        this.fetched = replaceRange(this.fetched, plan.fromMs, coveredTo, answer.truncated ? answer.events.filter((e) => e.atMs <= coveredTo) : answer.events);
        this.known = coverageAfter(this.known, plan, coveredTo, live, nowMs);
        this.local = pendingLocal(this.fetched, this.local); // pending ones have no receivedAtMs: never in an answer
        this.truncated = answer.truncated;
        this.error = null;
        this.publish();
      })
      .catch((err: unknown) => {
        if (this.destroyed) return;
        this.retryAtMs = Date.now() + RETRY_MS;
        this.error = err instanceof Error ? err.message : String(err);
        this.publish();
      })
      .finally(() => {
        this.inFlight = false;
      });
  }

  /** Shows an event of the proctor's at once (a pending one, or the stored one the POST answered). */
  addLocal(event: StreamEventView): void {
    this.local = [...this.local, event];
    this.publish();
  }

  /** Replaces a shown local event (a pending one by the stored one), or removes it (`next` null: the POST failed). */
  replaceLocal(event: StreamEventView, next: StreamEventView | null): void {
    const key = eventKey(event);
    this.local = this.local.filter((e) => eventKey(e) !== key);
    if (next) this.local.push(next);
    this.publish();
  }

  /** The shown events now. */
  get events(): StreamEventView[] {
    return withLocal(this.fetched, this.local);
  }

  destroy(): void {
    this.destroyed = true;
  }

  private publish(): void {
    if (this.destroyed) return;
    this.onChange({ events: this.events, truncated: this.truncated, error: this.error });
  }
}

/** A proctor's event still being posted (`pendingEvent`). */
export function isPending(e: StreamEventView): boolean {
  return e.detail?.['pending'] === true;
}
