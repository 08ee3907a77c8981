/**
 * Web hardening (issue 8 finding 8) in real Chromium against the real server
 * (dist/backend/main.js) and the built pages: the Content-Security-Policy the server sends
 * lets the portal, the Sentinel (WebCodecs and the OpenH264 WebAssembly fallback with its
 * Worker) and the API docs work, with no CSP violation reported (`securitypolicyviolation`
 * events, in the page and in its Workers, and console messages); the seat token of a kiosk
 * URL reaches no request line, no `Referer` and no server log line.
 *
 * Needs `node backend/build.mjs`, `node frontend-sentinel/build.mjs` and the portal build
 * (`npx nx run frontend-proctor:build`) first.
 * Run: xvfb-run -a -s '-screen 0 1920x1080x24' npx playwright test -c e2e/playwright.config.ts e2e/security
 */
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { adminEnv, createExam, createProctor, createSeat, loginAdmin, sessionCookie, type ApiSession } from '../support/auth';
import { screenCaptureLaunchOptions, viewerLaunchOptions } from '../support/chromium';
import { startServer, type RunningServer } from '../support/server';

test.describe.configure({ mode: 'serial' });

let server: RunningServer;
let admin: ApiSession;
let captureBrowser: Browser;
let viewerBrowser: Browser;

/** Everything CSP-related a page reports: violation events (document and Workers) and console lines. */
interface CspReport {
  violations: string[];
  requests: { url: string; referer: string | undefined }[];
}

/**
 * Watches a page for CSP violations: a `securitypolicyviolation` listener installed before
 * any page script (document and every Worker global scope reached through the console), and
 * Chromium's console message for a refused resource or script ("Refused to …").
 */
async function watch(page: Page): Promise<CspReport> {
  const report: CspReport = { violations: [], requests: [] };
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`[csp-violation] ${e.violatedDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  const onConsole = (text: string) => {
    if (/\[csp-violation\]|Content Security Policy|Refused to (load|execute|apply|connect|create|compile|evaluate)/i.test(text)) report.violations.push(text);
  };
  page.on('console', (m) => onConsole(m.text()));
  page.on('worker', (w) => {
    w.on('console', (m) => onConsole(`[worker ${w.url()}] ${m.text()}`));
    void w.evaluate(() => {
      self.addEventListener('securitypolicyviolation', (e) => console.error(`[csp-violation] worker ${(e as SecurityPolicyViolationEvent).violatedDirective}`));
    }).catch(() => undefined);
  });
  page.on('request', (r) => report.requests.push({ url: r.url(), referer: r.headers()['referer'] }));
  return report;
}

/** The Sentinel's status snapshot. */
const sentinelStatus = (page: Page) =>
  page.evaluate(() => (window as unknown as { __vigilSentinel?: { state?: string; encoder?: string; lastError?: string } }).__vigilSentinel ?? null);

test.beforeAll(async () => {
  // VIGIL_E2E_WEB_DIR: pages from another build (e.g. a Sentinel bundle under review)
  const web = process.env['VIGIL_E2E_WEB_DIR'];
  server = await startServer({ ...adminEnv(), ...(web ? { VIGIL_WEB_DIR: web } : {}) });
  admin = await loginAdmin(server);
  captureBrowser = await chromium.launch({
    ...screenCaptureLaunchOptions(),
    args: [...(screenCaptureLaunchOptions().args ?? []), '--window-size=1280,800', '--disable-background-timer-throttling', '--disable-renderer-backgrounding'],
  });
  viewerBrowser = await chromium.launch(viewerLaunchOptions(true));
});

test.afterAll(async () => {
  await captureBrowser?.close();
  await viewerBrowser?.close();
  if (server) {
    if (test.info().status !== test.info().expectedStatus) console.log(server.logs.join('').slice(-20_000));
    await server.stop();
  }
});

test('the portal works under its CSP: login page, login, exams, a live stream in MSE; no violation', async () => {
  const exam = await createExam(admin, { name: 'CSP portal (e2e)' });
  const seat = await createSeat(admin, exam.id, 'C-001', 'Carla Csp');
  const proctor = await createProctor(admin, 'csp.proctor@e2e.test', [exam.id]);

  // a Sentinel streams the seat, so the live view has video to play
  const sentinelContext = await captureBrowser.newContext({ viewport: null });
  const sentinel = await sentinelContext.newPage();
  const sentinelReport = await watch(sentinel);
  await sentinel.goto(`${seat.kioskUrl}&keyframeInterval=30`);
  await expect.poll(async () => (await sentinelStatus(sentinel))?.state, { timeout: 30_000 }).toBe('streaming');

  const context = await viewerBrowser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const report = await watch(page);
  const response = await page.goto(`${server.baseUrl}/login`);
  const csp = response!.headers()['content-security-policy'];
  expect(csp).toMatch(/script-src 'self';/);
  expect(csp).toMatch(/style-src 'self' 'nonce-[A-Za-z0-9+/=]+'/);
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
  await expect(page.getByRole('button', { name: 'Log in' })).toBeVisible();
  // Angular's component styles got the nonce: the login card is styled, not bare
  const styled = await page.evaluate(() => [...document.querySelectorAll('style')].map((s) => s.nonce !== '').every(Boolean) && document.querySelectorAll('style').length > 0);
  expect(styled, 'every <style> Angular added carries the nonce').toBe(true);

  await page.getByTestId('login-email').pressSequentially(proctor.email);
  await page.getByTestId('login-password').pressSequentially(proctor.password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await expect(page).toHaveURL(/\/exams$/);
  await page.getByRole('link', { name: 'CSP portal (e2e)' }).click();
  const row = page.locator(`tr[data-seat-id="${seat.id}"]`);
  await expect(row).toHaveAttribute('data-status', 'streaming', { timeout: 20_000 });
  await row.getByTestId('watch-seat').click();
  // MSE: the <video> plays a blob: URL (media-src blob:)
  await expect.poll(() => page.getByTestId('video').evaluate((v: HTMLVideoElement) => v.videoWidth), { timeout: 20_000 }).toBeGreaterThan(0);

  expect(report.violations).toEqual([]);
  expect(sentinelReport.violations).toEqual([]);
  await context.close();
  await sentinelContext.close();
});

for (const encoder of ['webcodecs', 'wasm'] as const) {
  test(`the Sentinel streams under its CSP (${encoder}); the seat token reaches no request, Referer or log`, async () => {
    const exam = await createExam(admin, { name: `CSP sentinel ${encoder} (e2e)` });
    const seat = await createSeat(admin, exam.id, `S-${encoder}`);
    expect(new URL(seat.kioskUrl).hash).toBe(`#token=${encodeURIComponent(seat.token)}`);
    expect(new URL(seat.kioskUrl).searchParams.has('token')).toBe(false);
    const context = await captureBrowser.newContext({ viewport: null });
    const page = await context.newPage();
    const report = await watch(page);
    const response = await page.goto(`${seat.kioskUrl}${encoder === 'wasm' ? '&encoder=wasm' : ''}&keyframeInterval=30`);
    const csp = response!.headers()['content-security-policy'];
    expect(csp).toMatch(/script-src 'self' 'wasm-unsafe-eval';/);
    expect(csp).toMatch(/style-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
    expect(response!.headers()['referrer-policy']).toBe('no-referrer');
    await expect.poll(async () => (await sentinelStatus(page))?.state, { timeout: 30_000 }).toBe('streaming');
    const status = await sentinelStatus(page);
    expect(status?.encoder).toBe(encoder === 'wasm' ? 'openh264-wasm' : 'webcodecs');
    // the page's inline style applied (allowed by its hash)
    expect(await page.evaluate(() => getComputedStyle(document.body).fontSize)).toBe('15px');
    await page.waitForTimeout(2000); // a few fragments, acks, status messages

    expect(report.violations).toEqual([]);
    // the token is in no request URL and no Referer (the fragment is never sent)
    expect(report.requests.length).toBeGreaterThan(0);
    for (const r of report.requests) {
      expect(r.url).not.toContain(seat.token);
      expect(r.referer ?? '').not.toContain(seat.token);
      expect(r.referer ?? '').toBe(''); // no-referrer: not even the page address
    }
    // and in no line the server logged
    expect(server.logs.join('')).not.toContain(seat.token);
    expect(server.logs.join('')).not.toContain(seat.token.split('.')[2]); // not even its signature alone
    await context.close();
  });
}

test("the kiosk URL's token leaves the address bar once the page has read it, and survives a reload", async () => {
  const exam = await createExam(admin, { name: 'CSP token scrub (e2e)' });
  const seat = await createSeat(admin, exam.id, 'T-001');
  const context = await captureBrowser.newContext({ viewport: null });
  const page = await context.newPage();
  await page.goto(`${seat.kioskUrl}&keyframeInterval=30`);
  await expect.poll(async () => (await sentinelStatus(page))?.state, { timeout: 30_000 }).toBe('streaming');
  expect(page.url()).not.toContain(seat.token);
  expect(page.url()).toContain('keyframeInterval=30');
  await page.reload();
  await expect.poll(async () => (await sentinelStatus(page))?.state, { timeout: 30_000 }).toBe('streaming');
  expect(page.url()).not.toContain(seat.token);
  await context.close();
});

test('the API docs work under their own CSP after login, and answer 401 before', async () => {
  const anonymous = await fetch(`${server.baseUrl}/api/docs`);
  expect(anonymous.status).toBe(401);
  const context = await viewerBrowser.newContext();
  await context.addCookies([sessionCookie(admin)]);
  const page = await context.newPage();
  const report = await watch(page);
  const response = await page.goto(`${server.baseUrl}/api/docs`);
  expect(response!.status()).toBe(200);
  expect(response!.headers()['content-security-policy']).toMatch(/script-src 'self';/);
  await expect(page.locator('.swagger-ui .info .title')).toContainText('Vigil control API', { timeout: 20_000 });
  await expect(page.locator('.opblock').first()).toBeVisible();
  expect(report.violations).toEqual([]);
  await context.close();
});

test('a page of this server cannot be framed by another site (frame-ancestors none)', async () => {
  const context = await viewerBrowser.newContext();
  const page = await context.newPage();
  const blocked: string[] = [];
  page.on('console', (m) => {
    if (/frame-ancestors|Refused to display/i.test(m.text())) blocked.push(m.text());
  });
  // a foreign page (about:blank, another origin) frames the portal
  await page.setContent(`<iframe id="f" src="${server.baseUrl}/login"></iframe>`);
  await expect.poll(() => blocked.length, { timeout: 10_000 }).toBeGreaterThan(0);
  const framed = page.frames().find((f) => f.url().startsWith(server.baseUrl));
  const hasPortal = framed ? await framed.locator('vigil-root').count().catch(() => 0) : 0;
  expect(hasPortal).toBe(0);
  await context.close();
});
