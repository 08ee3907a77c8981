/**
 * The review timeline's layout (pure): the whole recording on one bar, by wall clock —
 * recorded stretches, holes with their reason, init changes (resolution), tick marks —
 * as percentages of the bar's width, so the template needs no measuring; plus the
 * pixel ↔ wall-clock mapping for clicks and drags, and the export parts of a selection.
 * Times are ms since the Unix epoch (the Sentinel's capture clock, `prft`).
 */
import type { TimelineInit } from '@vigil/api';
import { formatClock } from './wall-clock';
import {
  CONTIGUOUS_TOLERANCE_MS,
  holeBetween,
  recordingSpan,
  segmentWallEnd,
  type FrameStore,
  type Hole,
  type RecordingModel,
} from './recording-model';

/** The wall-clock span the bar shows, ms. */
export interface Span {
  readonly fromMs: number;
  readonly toMs: number;
}

/** A stretch of the bar: left edge and width in percent of the bar. */
export interface Placed {
  readonly fromMs: number;
  readonly toMs: number;
  readonly left: number;
  readonly width: number;
}

/** A hole on the bar, with a label for its tooltip. */
export interface PlacedHole extends Placed {
  readonly hole: Hole;
  /** E.g. "Gap 14:02:10–14:02:44 (34 s): the Sentinel page was reloaded". */
  readonly label: string;
}

/** An init segment change on the bar. */
export interface PlacedInit {
  readonly atMs: number;
  readonly left: number;
  readonly init: TimelineInit;
  /** Picture size changed (not only the encoder settings or a new page). */
  readonly resized: boolean;
  /** E.g. "1280×720 → 1920×1080 (avc1.42C028) at 14:05:00". */
  readonly label: string;
}

/** A tick mark with its clock label. */
export interface Tick {
  readonly atMs: number;
  readonly left: number;
  readonly label: string;
}

/** Everything the timeline draws. */
export interface TimelineView {
  readonly span: Span;
  readonly recorded: readonly Placed[];
  readonly holes: readonly PlacedHole[];
  readonly inits: readonly PlacedInit[];
  readonly ticks: readonly Tick[];
}

/** What each gap reason means, for people (the protocol's `GapReason`, plus holes the index does not explain). */
export const HOLE_REASON_TEXT: Readonly<Record<Hole['reason'], string>> = {
  network: 'the network was down and the Sentinel could not keep what it captured',
  'capture-stopped': 'screen sharing stopped on the student’s computer',
  'sentinel-restarted': 'the Sentinel page was reloaded or restarted',
  'storage-failed': 'the student’s computer could not store what it captured',
  unknown: 'the capture clock jumped (reason unknown)',
  'not-recorded': 'nothing was recorded',
};

/** Percent of the bar at `ms`, clamped to 0..100. */
export function percentAt(ms: number, span: Span): number {
  const len = span.toMs - span.fromMs;
  if (!(len > 0)) return 0;
  return clamp(((ms - span.fromMs) / len) * 100, 0, 100);
}

/** Wall clock at pixel `x` of a bar `width` pixels wide, ms (clamped to the span). */
export function msAtX(x: number, width: number, span: Span): number {
  if (!(width > 0)) return span.fromMs;
  return span.fromMs + clamp(x / width, 0, 1) * (span.toMs - span.fromMs);
}

/**
 * Lays the recording out on the bar. `untilMs` extends the span to the right (a live
 * recording's "now"), else it ends with the newest frame known. Null when nothing is recorded.
 */
export function timelineView(model: RecordingModel, frames: FrameStore, untilMs?: number, maxTicks = 10): TimelineView | null {
  const rec = recordingSpan(model, frames);
  if (!rec) return null;
  const span: Span = { fromMs: rec.fromMs, toMs: Math.max(rec.toMs, untilMs ?? rec.toMs, rec.fromMs + 1000) };
  const place = (fromMs: number, toMs: number): Placed => {
    const left = percentAt(fromMs, span);
    return { fromMs, toMs, left, width: Math.max(0, percentAt(toMs, span) - left) };
  };

  const recorded: Placed[] = [];
  const holes: PlacedHole[] = [];
  const segs = model.segments;
  let runFrom = segs[0]!.startMs;
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]!;
    const end = segmentWallEnd(s, frames);
    const next = segs[i + 1];
    if (next && next.startMs - end <= CONTIGUOUS_TOLERANCE_MS && next.offset === s.offset && !gapAfter(model, i)) continue;
    recorded.push(place(runFrom, Math.max(runFrom, end)));
    if (next) {
      const hole = holeBetween(model, frames, i);
      // the hole is drawn where nothing was recorded; its reason's own range goes into the label
      holes.push({ ...place(Math.min(end, next.startMs), next.startMs), hole, label: holeLabel(hole) });
      runFrom = next.startMs;
    }
  }
  // gaps the index knows of that are not between two segments (e.g. capture stopped at the end, still live)
  for (const g of model.gaps) {
    if (holes.some((h) => h.hole.fromMs === g.fromMs && h.hole.toMs === g.toMs)) continue;
    if (g.toMs < span.fromMs || g.fromMs > span.toMs) continue;
    const hole: Hole = { fromMs: g.fromMs, toMs: g.toMs, reason: g.reason, source: g.source };
    holes.push({ ...place(Math.max(g.fromMs, span.fromMs), Math.min(g.toMs, span.toMs)), hole, label: holeLabel(hole) });
  }

  const inits: PlacedInit[] = [];
  for (let i = 1; i < segs.length; i++) {
    const prev = segs[i - 1]!;
    const s = segs[i]!;
    if (s.init === prev.init) continue;
    const init = model.inits.get(s.init);
    if (!init) continue;
    const before = model.inits.get(prev.init);
    const resized = !!before && (before.width !== init.width || before.height !== init.height);
    const size = `${init.width}×${init.height}`;
    const label = `${resized && before ? `${before.width}×${before.height} → ` : 'New init segment: '}${size} (${init.codec}) at ${formatClock(s.startMs)}`;
    inits.push({ atMs: s.startMs, left: percentAt(s.startMs, span), init, resized, label });
  }

  return { span, recorded, holes, inits, ticks: ticks(span, maxTicks) };
}

/** "Gap 14:02:10–14:02:44 (34 s): the Sentinel page was reloaded or restarted". */
export function holeLabel(hole: Hole): string {
  const seconds = Math.max(0, (hole.toMs - hole.fromMs) / 1000);
  const length = seconds < 10 ? `${seconds.toFixed(1)} s` : seconds < 120 ? `${Math.round(seconds)} s` : `${Math.round(seconds / 60)} min`;
  return `Gap ${formatClock(hole.fromMs, false)}–${formatClock(hole.toMs, false)} (${length}): ${HOLE_REASON_TEXT[hole.reason]}`;
}

/** Tick spacings, ms. */
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600].map((s) => s * 1000);

/** Tick marks at round local clock times, at most `maxTicks`. */
export function ticks(span: Span, maxTicks = 10): Tick[] {
  const len = span.toMs - span.fromMs;
  if (!(len > 0) || maxTicks < 1) return [];
  const step = TICK_STEPS.find((s) => len / s <= maxTicks) ?? TICK_STEPS[TICK_STEPS.length - 1]!;
  // round in local time (time zones with a half-hour offset still get round local minutes)
  const zone = new Date(span.fromMs).getTimezoneOffset() * 60_000;
  const first = Math.ceil((span.fromMs - zone) / step) * step + zone;
  const out: Tick[] = [];
  for (let t = first; t <= span.toMs; t += step) out.push({ atMs: t, left: percentAt(t, span), label: formatClock(t, false, step >= 60_000) });
  return out;
}

/** One MP4 export of a selection: a run of segments with one init segment (export.mp4 answers 409 across an init change). */
export interface ExportPart {
  readonly fromMs: number;
  readonly toMs: number;
  readonly width: number | null;
  readonly height: number | null;
}

/**
 * Splits `[fromMs, toMs]` where the init segment changes, so each part is one
 * `GET /api/recordings/:streamId/export.mp4?from=&to=` the server can answer with one MP4.
 */
export function exportParts(model: RecordingModel, frames: FrameStore, fromMs: number, toMs: number): ExportPart[] {
  const lo = Math.min(fromMs, toMs);
  const hi = Math.max(fromMs, toMs);
  const parts: ExportPart[] = [];
  let current: { init: string; fromMs: number; toMs: number } | null = null;
  for (const s of model.segments) {
    const end = segmentWallEnd(s, frames);
    if (end < lo || s.startMs > hi) continue;
    if (current && current.init === s.init) {
      current.toMs = Math.min(hi, Math.max(current.toMs, end));
      continue;
    }
    if (current) parts.push(part(model, current));
    current = { init: s.init, fromMs: Math.max(lo, s.startMs), toMs: Math.min(hi, Math.max(s.startMs, end)) };
  }
  if (current) parts.push(part(model, current));
  if (parts.length === 1) return [{ ...parts[0]!, fromMs: lo, toMs: hi }];
  return parts;
}

function part(model: RecordingModel, p: { init: string; fromMs: number; toMs: number }): ExportPart {
  const init = model.inits.get(p.init);
  return { fromMs: p.fromMs, toMs: p.toMs, width: init?.width ?? null, height: init?.height ?? null };
}

/** `export.mp4` URL of a part (ms since the Unix epoch in the query). */
export function exportUrl(streamId: string, p: Pick<ExportPart, 'fromMs' | 'toMs'>): string {
  return `/api/recordings/${encodeURIComponent(streamId)}/export.mp4?from=${Math.floor(p.fromMs)}&to=${Math.ceil(p.toMs)}`;
}

function gapAfter(model: RecordingModel, i: number): boolean {
  const s = model.segments[i]!;
  const next = model.segments[i + 1];
  return !!next && model.gaps.some((g) => g.afterSequence >= s.sequence && g.afterSequence < next.sequence && g.toMs > g.fromMs);
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
