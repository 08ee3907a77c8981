import type { Page } from '@playwright/test';

/**
 * The wall clock drawn on the captured screen as black and white blocks, and read back from
 * a `<video>` without OCR: the review e2e test needs to know when a frame it sees was on the
 * student's screen.
 *
 * The page shows `floor(Date.now() / 100)` (deciseconds) modulo 2^24 as 24 blocks (three
 * rows of eight, most significant bit first, black = 1) and an 8-bit check row (the sum of
 * the three bytes), redrawn every 50 ms, plus the time as text for people looking at
 * screenshots. Blocks are 120 × 90 pixels: H.264 at screen-capture bitrates keeps them
 * clean, and a few pixels of misplacement do not matter (each is read at its centre).
 */
export const GRID = { x: 240, y: 170, cols: 8, rows: 4, w: 120, h: 90 } as const;

export const CLOCK_PAGE_HTML = `<!doctype html>
<html><head><title>exam clock</title><style>
  html, body { margin: 0; height: 100%; overflow: hidden; background: #fff; font: 40px monospace; }
  #grid { position: fixed; left: ${GRID.x}px; top: ${GRID.y}px; display: grid;
    grid-template-columns: repeat(${GRID.cols}, ${GRID.w}px); grid-auto-rows: ${GRID.h}px; }
  #text { position: fixed; left: ${GRID.x}px; top: ${GRID.y + GRID.rows * GRID.h + 40}px; }
</style></head><body><div id="grid"></div><div id="text"></div><script>
  const grid = document.getElementById('grid');
  const cells = [];
  for (let i = 0; i < ${GRID.cols * GRID.rows}; i++) { const d = document.createElement('div'); grid.appendChild(d); cells.push(d); }
  function draw() {
    const now = Date.now();
    const v = Math.floor(now / 100) % 16777216;
    const check = ((v >> 16) + ((v >> 8) & 255) + (v & 255)) & 255;
    for (let b = 0; b < 24; b++) cells[b].style.background = (v >> (23 - b)) & 1 ? '#000' : '#fff';
    for (let b = 0; b < 8; b++) cells[24 + b].style.background = (check >> (7 - b)) & 1 ? '#000' : '#fff';
    document.getElementById('text').textContent = new Date(now).toISOString();
  }
  draw();
  setInterval(draw, 50);
</script></body></html>`;

/** Where the page's viewport is on the X screen (the browser's own toolbars are above it), CSS pixels. */
export async function viewportOrigin(page: Page): Promise<{ x: number; y: number }> {
  return page.evaluate(() => ({ x: window.screenX + (window.outerWidth - window.innerWidth), y: window.screenY + (window.outerHeight - window.innerHeight) }));
}

/**
 * The time drawn on the screen in the frame a `<video>` shows, ms since the Unix epoch
 * (to 100 ms), or null when the blocks do not read (check row wrong, video not ready).
 * `origin` is {@link viewportOrigin} of the captured page; `screen` the X screen's size
 * (the Sentinel captures the whole screen); `nearMs` picks the 2^24 × 100 ms period.
 */
export async function readDrawnTime(page: Page, videoSelector: string, origin: { x: number; y: number }, screen: { width: number; height: number }, nearMs: number): Promise<number | null> {
  const value = await page.evaluate(
    ({ selector, grid, origin, screen }) => {
      const v = document.querySelector(selector) as HTMLVideoElement | null;
      if (!v || v.videoWidth === 0) return null;
      const canvas = document.createElement('canvas');
      canvas.width = v.videoWidth;
      canvas.height = v.videoHeight;
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      ctx.drawImage(v, 0, 0);
      const sx = v.videoWidth / screen.width;
      const sy = v.videoHeight / screen.height;
      const bits: number[] = [];
      for (let i = 0; i < grid.cols * grid.rows; i++) {
        const cx = Math.round((origin.x + grid.x + (i % grid.cols) * grid.w + grid.w / 2) * sx);
        const cy = Math.round((origin.y + grid.y + Math.floor(i / grid.cols) * grid.h + grid.h / 2) * sy);
        const d = ctx.getImageData(cx - 3, cy - 3, 7, 7).data;
        let lum = 0;
        for (let p = 0; p < d.length; p += 4) lum += 0.299 * d[p]! + 0.587 * d[p + 1]! + 0.114 * d[p + 2]!;
        bits.push(lum / (d.length / 4) < 128 ? 1 : 0);
      }
      const num = (from: number, n: number) => bits.slice(from, from + n).reduce((acc, b) => acc * 2 + b, 0);
      const v24 = num(0, 24);
      const check = num(24, 8);
      return ((v24 >> 16) + ((v24 >> 8) & 255) + (v24 & 255)) % 256 === check ? v24 : null;
    },
    { selector: videoSelector, grid: GRID, origin, screen },
  );
  if (value === null) return null;
  const period = 16_777_216;
  const near = Math.floor(nearMs / 100);
  let ds = near - (((near - value) % period) + period) % period;
  if (near - ds > period / 2) ds += period;
  return ds * 100;
}
