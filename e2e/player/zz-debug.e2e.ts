import path from 'node:path';
import { chromium, test } from '@playwright/test';
import { viewerLaunchOptions } from '../support/chromium';
import { freePort } from '../support/server';
import { FakeRelay, FakeStream } from './fake-relay';
import { encodeTestVideo } from './h264-source';

const ROOT = path.resolve(__dirname, '../..');
test('debug low fps', async () => {
  const video = encodeTestVideo({ width: 640, height: 360, fps: 5, frames: 300, gop: 10, outDir: path.join(ROOT, 'tmp/e2e-player') });
  const fps = Number(process.env['DBG_FPS'] ?? 0.5);
  const slow = new FakeStream('s', 'E', 'B', video, fps);
  slow.start();
  const relay = new FakeRelay(path.join(ROOT, 'dist/frontend-proctor/browser'), [slow]);
  const base = await relay.start(await freePort());
  await new Promise((r) => setTimeout(r, 5000));
  const browser = await chromium.launch(viewerLaunchOptions());
  const page = await browser.newPage();
  await page.goto(base + '/streams/s');
  await page.evaluate(() => {
    const v = document.querySelector('video')!;
    for (const e of ['waiting', 'playing', 'seeking', 'seeked', 'stalled', 'pause', 'play', 'canplay', 'canplaythrough', 'timeupdate', 'durationchange']) {
      v.addEventListener(e, () => console.log(`${(performance.now() / 1000).toFixed(2)} ev ${e} ct=${v.currentTime.toFixed(3)} rs=${v.readyState}`));
    }
  });
  page.on('console', (m) => console.log('PAGE', m.text()));
  for (let i = 0; i < 30; i++) {
    const s = await page.evaluate(() => {
      const v = document.querySelector('video')!;
      const r = [];
      for (let i = 0; i < v.buffered.length; i++) r.push([v.buffered.start(i).toFixed(3), v.buffered.end(i).toFixed(3)]);
      const p = (window as any).__vigilPlayer;
      return `${(performance.now() / 1000).toFixed(2)} ct=${v.currentTime.toFixed(3)} rs=${v.readyState} paused=${v.paused} dur=${v.duration} ranges=${JSON.stringify(r)} lat=${p?.latencyMs} seeks=${p?.liveSeeks}/${p?.lastSeekReason} app=${p?.appended}`;
    });
    console.log(s);
    await page.waitForTimeout(500);
  }
  await browser.close();
  slow.stop();
  await relay.stop();
});
