import { defineConfig } from '@playwright/test';
import { BASE_CHROMIUM_ARGS, CHROMIUM_PATH } from './support/chromium';

/**
 * End-to-end tests in real Chromium. Run under an X server (see project.json: xvfb-run),
 * one worker: screen-capture tests share the single X screen.
 */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.e2e.ts',
  workers: 1,
  timeout: 180_000,
  expect: { timeout: 15_000 },
  reporter: [['list']],
  outputDir: '../tmp/e2e-results',
  use: {
    launchOptions: { executablePath: CHROMIUM_PATH, args: BASE_CHROMIUM_ARGS },
  },
});
