/**
 * A stream's event track (pure): the lines of its `events.jsonl` and how the API shows them.
 *
 * One JSON object per line, `{atMs, source, type, ...details}`:
 * - `source: "server"` (or no `source`: lines written before the event track had sources):
 *   `connect`, `disconnect`, `set-fps`, `keyframe`, `stop`, `storage`, `gap`, `events-dropped`;
 *   `atMs` on the server clock;
 * - `source: "sentinel"`: the Sentinel's `event` kinds with their details, `page` and `seq`;
 *   `atMs` on the capture clock (the clock of the recording's `prft` times), `receivedAtMs` on the server's;
 * - `source: "exam-app"`: what an exam application reported with the seat token (`text`);
 * - `source: "proctor"`: a proctor's `flag` or `note` on a moment (`by`, `text`, `receivedAtMs`).
 */
import type { StreamEventSource, StreamEventView } from '@vigil/api';

/** Sources a line may name. */
const SOURCES: ReadonlySet<string> = new Set<StreamEventSource>(['server', 'sentinel', 'exam-app', 'proctor']);

/** Fields of a line that are not details. */
const ENVELOPE = new Set(['atMs', 'source', 'type', 'by', 'receivedAtMs']);

/**
 * One line as written to `events.jsonl` (without the newline).
 * @param event the event's envelope and details; `detail` keys become top-level fields
 */
export function eventLine(event: { atMs: number; source: StreamEventSource; type: string; by?: string; receivedAtMs?: number; detail?: Record<string, unknown> }): string {
  const { detail, ...envelope } = event;
  return JSON.stringify({ ...(detail ?? {}), ...envelope });
}

/**
 * The API view of one parsed line, or null when it is not an event (not an object, no numeric
 * `atMs` or no string `type`, an unknown source).
 */
export function toEventView(line: unknown): StreamEventView | null {
  if (typeof line !== 'object' || line === null || Array.isArray(line)) return null;
  const r = line as Record<string, unknown>;
  const atMs = r['atMs'];
  const type = r['type'];
  if (typeof atMs !== 'number' || !Number.isFinite(atMs) || typeof type !== 'string') return null;
  const source = r['source'] ?? 'server';
  if (typeof source !== 'string' || !SOURCES.has(source)) return null;
  const detail: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r)) if (!ENVELOPE.has(k)) detail[k] = v;
  const view: StreamEventView = { atMs, source: source as StreamEventSource, type, detail };
  if (typeof r['by'] === 'string') view.by = r['by'];
  if (typeof r['receivedAtMs'] === 'number') view.receivedAtMs = r['receivedAtMs'];
  return view;
}

/**
 * Parses the text of an `events.jsonl` (or a tail of it: a first line cut off is skipped like
 * any line that is not JSON). Lines that are not events are skipped.
 * @returns the events in file order
 */
export function parseEventLines(text: string): StreamEventView[] {
  const out: StreamEventView[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      continue;
    }
    const view = toEventView(parsed);
    if (view) out.push(view);
  }
  return out;
}

/**
 * The events with `fromMs <= atMs <= toMs`, oldest first (stable: same time keeps file order),
 * at most `limit` of them (the oldest).
 */
export function eventsInRange(events: readonly StreamEventView[], fromMs: number, toMs: number, limit: number): { events: StreamEventView[]; truncated: boolean } {
  const inRange = events.filter((e) => e.atMs >= fromMs && e.atMs <= toMs);
  inRange.sort((a, b) => a.atMs - b.atMs);
  return { events: inRange.slice(0, limit), truncated: inRange.length > limit };
}
