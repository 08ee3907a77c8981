/** Display formatting for the portal. Pure; "—" for unknown values. */

const DASH = '—';

/** Bits per second -> "850 kbit/s", "1.4 Mbit/s". */
export function formatBitrate(bps: number | null | undefined): string {
  if (bps == null || !Number.isFinite(bps)) return DASH;
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(bps >= 1e7 ? 0 : 1)} Mbit/s`;
  if (bps >= 1e3) return `${Math.round(bps / 1e3)} kbit/s`;
  return `${Math.round(bps)} bit/s`;
}

/** Milliseconds -> "180 ms", "1.2 s", "42 s", "3 min", "2 h". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms == null || !Number.isFinite(ms)) return DASH;
  const v = Math.max(0, ms);
  if (v < 1000) return `${Math.round(v)} ms`;
  if (v < 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v < 120_000) return `${Math.round(v / 1000)} s`;
  if (v < 7_200_000) return `${Math.round(v / 60_000)} min`;
  return `${Math.round(v / 3_600_000)} h`;
}

/** Age of an event at Unix epoch ms `atMs`, seen at `nowMs`: "1.2 s ago"; "never" for null. */
export function formatAge(atMs: number | null | undefined, nowMs: number): string {
  if (atMs == null) return 'never';
  const age = nowMs - atMs;
  // Under a second the figure is mostly clock jitter between server and portal.
  return age < 1000 ? '< 1 s ago' : `${formatDuration(age)} ago`;
}

/** Pixels -> "1280×720"; "—" when unknown (0). */
export function formatResolution(width: number | null | undefined, height: number | null | undefined): string {
  if (!width || !height) return DASH;
  return `${width}×${height}`;
}

/** Frame rates the portal offers, fps (the API takes any value in 0.2..5). */
export const FPS_CHOICES: readonly number[] = [0.2, 0.5, 1, 2, 5];

/** Frames per second -> "5 fps", "0.2 fps", "2.5 fps". */
export function formatFps(fps: number | null | undefined): string {
  if (fps == null || !Number.isFinite(fps) || fps <= 0) return DASH;
  const rounded = fps >= 10 ? Math.round(fps) : Math.round(fps * 10) / 10;
  return `${rounded} fps`;
}

/** Seconds -> "0.45 s". */
export function formatSeconds(s: number | null | undefined): string {
  if (s == null || !Number.isFinite(s)) return DASH;
  return `${s.toFixed(2)} s`;
}

/** "avg 40 ms · max 120 ms" of a window's figures (`GET …/stats`), "—" when nothing was measured. */
export function formatWindow(w: { count: number; avg: number | null; max: number | null } | null | undefined): string {
  if (!w || w.count === 0 || w.avg === null) return DASH;
  return `avg ${formatDuration(w.avg)} · max ${formatDuration(w.max)}`;
}
