/**
 * A page with one large colour block that changes colour every second, logging each change
 * with its wall-clock time (`atMs`, when the page set it) and when the page had painted it
 * (`paintedAtMs`, two animation frames later; later still on a loaded machine): the "real
 * content on the screen" the live test compares the proctor's pixels with. The block covers
 * the middle of the screen, not all of it: when the whole picture changes, Chromium's OpenH264
 * encoder inserts an IDR of its own (scene-change detection), which would hide whether the
 * server's keyframe logic works.
 */
export const PALETTE: Record<string, [number, number, number]> = {
  red: [230, 30, 30],
  green: [30, 200, 60],
  blue: [30, 60, 230],
  yellow: [240, 220, 30],
  magenta: [220, 40, 220],
  cyan: [40, 220, 230],
};

export const COLOUR_PAGE_HTML = `<!doctype html>
<html><head><title>exam content</title><style>
  html, body { margin: 0; height: 100%; overflow: hidden; background: #f4f4f0; font: 28px sans-serif; }
  #block { position: fixed; left: 30%; right: 30%; top: 35%; bottom: 20%; }
  p { margin: 24px; }
</style></head><body><p>Question 7. Explain the difference between an I-frame and an IDR frame.</p>
<div id="block"></div><script>
  const palette = ${JSON.stringify(PALETTE)};
  const names = Object.keys(palette);
  window.colourLog = [];
  let i = 0;
  function paint() {
    const name = names[i++ % names.length];
    const [r, g, b] = palette[name];
    document.getElementById('block').style.background = 'rgb(' + r + ',' + g + ',' + b + ')';
    const entry = { name, atMs: Date.now(), paintedAtMs: null };
    window.colourLog.push(entry);
    requestAnimationFrame(() => requestAnimationFrame(() => { entry.paintedAtMs = Date.now(); }));
  }
  paint();
  setInterval(paint, 1000);
</script></body></html>`;

/** One change of colour on the page: set at `atMs`, painted by `paintedAtMs` (null until then), epoch ms. */
export interface ColourChange {
  name: string;
  atMs: number;
  paintedAtMs: number | null;
}

/**
 * The colours the screen may have shown at some time in [fromMs, toMs]: a colour is on screen
 * from when the page set it until the next colour was painted (or until now when that has not
 * happened yet).
 */
export function coloursShownBetween(log: readonly ColourChange[], fromMs: number, toMs: number): string[] {
  const shown: string[] = [];
  log.forEach((c, i) => {
    const next = log[i + 1];
    const until = next === undefined ? Infinity : (next.paintedAtMs ?? Infinity);
    if (c.atMs <= toMs && until >= fromMs) shown.push(c.name);
  });
  return shown;
}

/** Name of the palette colour nearest to an RGB triple, and its distance (0..441). */
export function nearestColour([r, g, b]: number[]): { name: string; distance: number } {
  let best = { name: '', distance: Infinity };
  for (const [name, [pr, pg, pb]] of Object.entries(PALETTE)) {
    const distance = Math.hypot(r - pr, g - pg, b - pb);
    if (distance < best.distance) best = { name, distance };
  }
  return best;
}
