import type { LaunchOptions } from '@playwright/test';

/** Flags every Chromium launch needs on these machines (see shared/spec/MEASURED.md). */
export const BASE_CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** Path of Debian's Chromium; Playwright cannot download its own browser here. */
export const CHROMIUM_PATH = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';

/**
 * Launch options for a headed Chromium that captures the whole X screen with no prompt.
 * Needs an X server (`xvfb-run -s "-screen 0 1920x1080x24"`): headless Chromium cannot capture a screen.
 * @param window the windows' size, pixels (then also no background throttling)
 */
export function screenCaptureLaunchOptions(window?: { width: number; height: number }): LaunchOptions {
  return {
    executablePath: CHROMIUM_PATH,
    headless: false,
    args: [
      ...BASE_CHROMIUM_ARGS,
      '--auto-select-desktop-capture-source=Entire screen',
      '--autoplay-policy=no-user-gesture-required',
      '--window-position=0,0',
      // with a window size: a browser whose windows (the Sentinel's, a page drawn on the screen)
      // cover each other; none of them may be throttled as hidden or in the background
      ...(window
        ? [
            `--window-size=${window.width},${window.height}`,
            '--disable-background-timer-throttling',
            '--disable-renderer-backgrounding',
            '--disable-backgrounding-occluded-windows',
          ]
        : []),
    ],
  };
}

/** Launch options for an ordinary (viewer) Chromium. */
export function viewerLaunchOptions(headless = true): LaunchOptions {
  return {
    executablePath: CHROMIUM_PATH,
    headless,
    args: [...BASE_CHROMIUM_ARGS, '--autoplay-policy=no-user-gesture-required'],
  };
}
