/**
 * What a stream's Sentinel says about its screen, as conditions the alert rules read (pure;
 * issue 11 part 4). Fed with the stream's `event` messages in the order they arrived;
 * {@link SentinelConditionTracker.conditions} is the state now, on the server clock.
 *
 * - `capture-ended` / `capture-muted` start "capture off", `capture-started` / `capture-unmuted` end it;
 * - `screen-blank` / `screen-frozen` with `state: start` start the condition `heldMs` before the
 *   event arrived (the Sentinel reports it once it held a moment), `state: end` ends it;
 * - `screen-size-changed`, and `screens-count` with another count than before (or more than one
 *   screen at first), are a screen change;
 * - a new page (another `event.page`: the Sentinel page was reloaded) forgets blank and frozen:
 *   its detector starts afresh and would never end the old page's condition.
 */
import type { EventMessage } from '@vigil/protocol';
import type { SentinelConditions } from '../alerts/alert-rules';

/** Per-stream state built from Sentinel events; see the module comment. */
export class SentinelConditionTracker {
  private page: string | null = null;
  private screens: number | null = null;
  private state: SentinelConditions = { capture: null, blank: null, frozen: null, screenChange: null };

  /** The conditions now (a copy). */
  get conditions(): SentinelConditions {
    return { ...this.state };
  }

  /**
   * Applies one event.
   * @param receivedAtMs when the server received it, ms since the Unix epoch (server clock)
   */
  apply(event: EventMessage, receivedAtMs: number): void {
    if (this.page !== null && event.page !== this.page) {
      this.state.blank = null;
      this.state.frozen = null;
    }
    this.page = event.page;
    const d = event.detail ?? {};
    const since = receivedAtMs - (d.heldMs ?? 0);
    switch (event.kind) {
      case 'capture-ended':
        this.state.capture = { state: 'ended', sinceMs: receivedAtMs };
        break;
      case 'capture-muted':
        if (this.state.capture?.state !== 'ended') this.state.capture = { state: 'muted', sinceMs: receivedAtMs };
        break;
      case 'capture-started':
        this.state.capture = null;
        break;
      case 'capture-unmuted':
        if (this.state.capture?.state === 'muted') this.state.capture = null;
        break;
      case 'screen-blank':
        this.state.blank = d.state === 'start' ? { sinceMs: this.state.blank?.sinceMs ?? since, luma: d.luma ?? null } : null;
        break;
      case 'screen-frozen':
        this.state.frozen = d.state === 'start' ? { sinceMs: this.state.frozen?.sinceMs ?? since } : null;
        break;
      case 'screen-size-changed':
        this.state.screenChange = { atMs: receivedAtMs, detail: `the screen size changed to ${d.width}x${d.height}` };
        break;
      case 'screens-count': {
        const screens = d.screens ?? null;
        if (screens !== null && (this.screens === null ? screens > 1 : screens !== this.screens)) {
          const count = d.extended && screens === 2 ? 'two or more screens' : screens === 1 ? 'one screen' : `${screens} screens`;
          this.state.screenChange = { atMs: receivedAtMs, detail: `${count} attached now${this.screens === null ? '' : ` (was ${this.screens})`}` };
        }
        if (screens !== null) this.screens = screens;
        break;
      }
      default:
        break;
    }
  }
}
