/** Human-readable numbers for the status panel. Pure. */

/** Bytes as B / KiB / MiB / GiB with one decimal (1536 -> "1.5 KiB"). */
export function formatBytes(bytes: number): string {
  if (typeof bytes !== 'number' || !Number.isFinite(bytes) || bytes < 0) {
    throw new TypeError(`bytes must be a finite number >= 0, got ${String(bytes)}`);
  }
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** Bits per second as kbit/s or Mbit/s (1400000 -> "1.40 Mbit/s"). */
export function formatBitrate(bps: number): string {
  if (typeof bps !== 'number' || !Number.isFinite(bps) || bps < 0) {
    throw new TypeError(`bps must be a finite number >= 0, got ${String(bps)}`);
  }
  return bps >= 1_000_000 ? `${(bps / 1_000_000).toFixed(2)} Mbit/s` : `${Math.round(bps / 1000)} kbit/s`;
}

/** A frame rate (fps) without trailing zeros (0.2 -> "0.2 fps", 5 -> "5 fps"). */
export function formatFps(fps: number): string {
  if (typeof fps !== 'number' || !Number.isFinite(fps) || fps < 0) {
    throw new TypeError(`fps must be a finite number >= 0, got ${String(fps)}`);
  }
  return `${Number(fps.toFixed(2))} fps`;
}

/** A duration in seconds as "42 s", "3 min 05 s" or "1 h 02 min" (non-negative, rounded to the second). */
export function formatDuration(seconds: number): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
    throw new TypeError(`seconds must be a finite number >= 0, got ${String(seconds)}`);
  }
  const total = Math.round(seconds);
  if (total < 60) return `${total} s`;
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  return h > 0 ? `${h} h ${String(m).padStart(2, '0')} min` : `${m} min ${String(sec).padStart(2, '0')} s`;
}
