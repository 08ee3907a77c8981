/**
 * A proctor's flags and notes on a moment of a recording (pure): the hotkeys (`F` flags the
 * frame on screen, `N` starts a note on it), the request body of
 * `POST /api/recordings/:streamId/events`, and the event shown at once while it is posted.
 *
 * Used by the review page (`review-player.component.ts` with `[eventTrack]="true"`); the live
 * view can use the same pieces: on `keydown`, `flagHotkey(ev)`; the moment is the capture time
 * of the frame on screen (its `prft`); post with `EventTrackApi.post(streamId, proctorEventBody(…))`.
 */
import { PROCTOR_EVENT_TEXT_MAX_LENGTH, type CreateProctorEventBody, type ProctorEventKind, type StreamEventView } from '@vigil/api';

/** What a key press asks for. */
export type FlagHotkey = ProctorEventKind;

/** The part of a `KeyboardEvent` {@link flagHotkey} reads. */
export interface HotkeyEvent {
  readonly key: string;
  readonly ctrlKey?: boolean;
  readonly metaKey?: boolean;
  readonly altKey?: boolean;
  readonly repeat?: boolean;
  readonly isComposing?: boolean;
  readonly defaultPrevented?: boolean;
  readonly target?: unknown;
}

/**
 * `flag` for F, `note` for N (either case, Shift allowed), else null: not with Ctrl, Cmd or Alt
 * (Ctrl+F finds, Ctrl+N opens a window), not auto-repeated, not while composing text, not when
 * the key went to something one types into, not when someone handled it already.
 */
export function flagHotkey(ev: HotkeyEvent): FlagHotkey | null {
  if (ev.ctrlKey || ev.metaKey || ev.altKey || ev.repeat || ev.isComposing || ev.defaultPrevented) return null;
  if (isTypingTarget(ev.target)) return null;
  const key = ev.key.toLowerCase();
  return key === 'f' ? 'flag' : key === 'n' ? 'note' : null;
}

/** Input elements whose `type` takes no typing (a key press there is not text). */
const NON_TEXT_INPUTS = new Set(['button', 'checkbox', 'radio', 'range', 'reset', 'submit', 'image', 'color', 'file']);

/** True for elements one types into: text inputs, textareas, selects, editable content, ARIA text boxes. */
export function isTypingTarget(target: unknown): boolean {
  if (typeof target !== 'object' || target === null) return false;
  const el = target as { tagName?: unknown; type?: unknown; isContentEditable?: unknown; getAttribute?: (name: string) => string | null };
  if (el.isContentEditable === true) return true;
  const tag = typeof el.tagName === 'string' ? el.tagName.toUpperCase() : '';
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !NON_TEXT_INPUTS.has(typeof el.type === 'string' ? el.type.toLowerCase() : 'text');
  const role = typeof el.getAttribute === 'function' ? el.getAttribute('role') : null;
  return role === 'textbox' || role === 'combobox' || role === 'searchbox';
}

/**
 * The body of `POST /api/recordings/:streamId/events`: the moment rounded to whole ms, the text
 * trimmed and cut to {@link PROCTOR_EVENT_TEXT_MAX_LENGTH}.
 * @throws RangeError for a moment that is not a time (nothing on screen yet)
 */
export function proctorEventBody(kind: ProctorEventKind, atMs: number | null | undefined, text = ''): CreateProctorEventBody {
  if (atMs == null || !Number.isFinite(atMs) || atMs < 0) throw new RangeError('no frame on screen to flag yet');
  return { atMs: Math.round(atMs), kind, text: text.trim().slice(0, PROCTOR_EVENT_TEXT_MAX_LENGTH) };
}

/** The event shown on the timeline at once while `body` is being posted (`by`: who posts it). */
export function pendingEvent(body: CreateProctorEventBody, by: string | undefined): StreamEventView {
  return { atMs: body.atMs, source: 'proctor', type: body.kind, detail: { text: body.text, pending: true }, ...(by ? { by } : {}) };
}
