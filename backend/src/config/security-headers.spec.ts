import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  FileCache,
  cspDirectives,
  inlineStyleHashes,
  isPortalDocumentPath,
  portalAssetCacheControl,
  pageKindOf,
  permissionsPolicy,
  socketOriginsOf,
  withCspNonce,
} from './security-headers';
import { SERVER_TEST_TIMEOUT_MS, TestClient, TestServer, adminClient, startTestServer } from '../testing/test-server';

jest.setTimeout(SERVER_TEST_TIMEOUT_MS);

const inputs = { nonce: 'bm9uY2U=', sentinelStyleHashes: ["'sha256-abc='"], sentinelSocketOrigins: ['wss://p.example.org'], upgradeInsecure: false };

describe('security headers (pure)', () => {
  it('sorts paths into portal, Sentinel, API docs and API', () => {
    expect(['/', '/login', '/exams/e-1/seats', '/main-ABC.js', '/index.html'].map(pageKindOf)).toEqual(['portal', 'portal', 'portal', 'portal', 'portal']);
    expect(['/sentinel', '/sentinel/', '/sentinel/openh264/openh264-worker.js'].map(pageKindOf)).toEqual(['sentinel', 'sentinel', 'sentinel']);
    expect(['/api/docs', '/api/docs/', '/api/docs-json', '/api/docs-yaml', '/api/docs/swagger-ui-init.js'].map(pageKindOf)).toEqual(['docs', 'docs', 'docs', 'docs', 'docs']);
    expect(['/api/health', '/api/docsx', '/api', '/ws/sentinel', '/sentinelx'].map(pageKindOf)).toEqual(['api', 'api', 'api', 'api', 'portal']);
    // the Prometheus endpoint is no portal route (the portal's index.html must not answer it)
    expect(['/metrics', '/metricsx'].map(pageKindOf)).toEqual(['api', 'portal']);
  });

  it('no page may run inline script or eval; every page refuses framing, plugins and foreign forms', () => {
    for (const kind of ['portal', 'sentinel', 'docs', 'api'] as const) {
      const d = cspDirectives(kind, inputs);
      expect(d['frame-ancestors']).toEqual(["'none'"]);
      expect(d['object-src']).toEqual(["'none'"]);
      expect(d['base-uri']).toEqual(["'self'"]);
      expect(d['form-action']).toEqual(["'self'"]);
      const scripts = d['script-src'] ?? d['default-src'];
      expect(scripts).not.toContain("'unsafe-inline'");
      expect(scripts).not.toContain("'unsafe-eval'");
      expect(d['upgrade-insecure-requests']).toBeUndefined();
    }
    expect(cspDirectives('api', inputs)['default-src']).toEqual(["'none'"]);
    expect(cspDirectives('portal', { ...inputs, upgradeInsecure: true })['upgrade-insecure-requests']).toEqual([]);
  });

  it('portal: styles by nonce only, MSE video from blob:; Sentinel: wasm, blob: workers, its style hash, its sockets', () => {
    const portal = cspDirectives('portal', inputs);
    expect(portal['style-src']).toEqual(["'self'", "'nonce-bm9uY2U='"]);
    expect(portal['media-src']).toEqual(["'self'", 'blob:']);
    expect(portal['script-src']).toEqual(["'self'"]);
    const sentinel = cspDirectives('sentinel', inputs);
    expect(sentinel['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(sentinel['worker-src']).toEqual(["'self'", 'blob:']);
    expect(sentinel['style-src']).toEqual(["'self'", "'sha256-abc='"]);
    expect(sentinel['connect-src']).toEqual(["'self'", 'ws://127.0.0.1:*', 'ws://localhost:*', 'wss://p.example.org']);
    expect(cspDirectives('docs', inputs)['script-src']).toEqual(["'self'"]);
  });

  it('hashes inline <style> blocks exactly (CSP3 hash-source)', () => {
    const css = '\n  body { color: red; }\n';
    const expected = `'sha256-${createHash('sha256').update(css).digest('base64')}'`;
    expect(inlineStyleHashes(`<head><style>${css}</style><STYLE media="x">a{}</STYLE></head>`)).toEqual([
      expected,
      `'sha256-${createHash('sha256').update('a{}').digest('base64')}'`,
    ]);
    expect(inlineStyleHashes('<link rel="stylesheet" href="a.css">')).toEqual([]);
  });

  it('serves the portal document for SPA routes only, and writes the nonce on <vigil-root>', () => {
    expect(['/', '/index.html', '/login', '/exams/x'].map(isPortalDocumentPath)).toEqual([true, true, true, true]);
    expect(['/main-X.js', '/styles-Y.css', '/api/health', '/sentinel/', '/favicon.ico'].map(isPortalDocumentPath)).toEqual([false, false, false, false, false]);
    // the bundler's content-hashed files are immutable; anything else is left to the static server
    expect(portalAssetCacheControl('/srv/dist/frontend-proctor/browser/chunk-ZSAJYPFI.js')).toBe('public, max-age=31536000, immutable');
    expect(['main-XOBZN6D6.js', 'polyfills-FRAMSJR7.js', 'styles-K3CERDIL.css'].map((f) => portalAssetCacheControl(`/d/${f}`) !== null)).toEqual([true, true, true]);
    expect(['/d/index.html', '/d/favicon.ico', '/d/chunk-x.js', '/d/chunk-ZSAJYPFI.js.map'].map(portalAssetCacheControl)).toEqual([null, null, null, null]);
    expect(withCspNonce('<body><vigil-root></vigil-root></body>', 'QUJD')).toBe('<body><vigil-root ngCspNonce="QUJD"></vigil-root></body>');
    expect(withCspNonce('<vigil-rooted>', 'QUJD')).toBe('<vigil-rooted>');
    expect(() => withCspNonce('<vigil-root>', '"><script>')).toThrow('the nonce must be base64');
  });

  it('permissions: screen capture for the Sentinel only, clipboard writes for the portal only', () => {
    expect(permissionsPolicy('sentinel')).toMatch(/^display-capture=\(self\), clipboard-write=\(\), camera=\(\), microphone=\(\)/);
    expect(permissionsPolicy('portal')).toMatch(/^display-capture=\(\), clipboard-write=\(self\)/);
    expect(permissionsPolicy('api')).toMatch(/^display-capture=\(\), clipboard-write=\(\)/);
    expect(socketOriginsOf(['https://a.example.org', 'http://b:8080'])).toEqual(['wss://a.example.org', 'ws://b:8080']);
  });

  it('FileCache reads again when the file changes, and is null while it is missing', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'vigil-filecache-'));
    try {
      const file = path.join(dir, 'index.html');
      const cache = new FileCache(file, (t) => t.toUpperCase());
      expect(cache.read()).toBeNull();
      await writeFile(file, 'one');
      expect(cache.read()).toBe('ONE');
      await writeFile(file, 'two');
      await utimes(file, new Date(), new Date(Date.now() + 5000));
      expect(cache.read()).toBe('TWO');
      await rm(file);
      expect(cache.read()).toBeNull();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

const SENTINEL_CSS = '\n      body { font: 15px system-ui; }\n    ';
const SENTINEL_HTML = `<!doctype html><html><head><style>${SENTINEL_CSS}</style><script type="module" src="./sentinel.js"></script></head><body></body></html>`;
const PORTAL_HTML = '<!doctype html><html><head><link rel="stylesheet" href="styles-X.css"></head><body><vigil-root></vigil-root><script src="main-X.js" type="module"></script></body></html>';

/** A web folder with stand-ins for the two built pages. */
async function webDir(): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'vigil-web-'));
  await mkdir(path.join(dir, 'frontend-sentinel'), { recursive: true });
  await mkdir(path.join(dir, 'frontend-proctor', 'browser'), { recursive: true });
  await writeFile(path.join(dir, 'frontend-sentinel', 'index.html'), SENTINEL_HTML);
  await writeFile(path.join(dir, 'frontend-proctor', 'browser', 'index.html'), PORTAL_HTML);
  await writeFile(path.join(dir, 'frontend-proctor', 'browser', 'main-X.js'), 'console.log(1)');
  await writeFile(path.join(dir, 'frontend-proctor', 'browser', 'chunk-ABCD1234.js'), 'export {}');
  return dir;
}

/** A CSP header as directive → sources. */
function parseCsp(header: string | null): Record<string, string[]> {
  if (header === null) throw new Error('no Content-Security-Policy header');
  return Object.fromEntries(header.split(';').map((d) => d.trim()).filter(Boolean).map((d) => { const [name, ...sources] = d.split(/\s+/); return [name, sources]; }));
}

describe('security headers over HTTP (plain http deployment, API docs behind login)', () => {
  let server: TestServer;
  let web: string;

  beforeAll(async () => {
    web = await webDir();
    server = await startTestServer('sqlite', { VIGIL_WEB_DIR: web });
  });

  afterAll(async () => {
    await server.close();
    await rm(web, { recursive: true, force: true });
  });

  it('portal: a fresh nonce per response, in the CSP and on <vigil-root>, not cached; no inline script allowed', async () => {
    const anonymous = new TestClient(server);
    const nonces: string[] = [];
    for (const p of ['/', '/login', '/exams/abc/seats']) {
      const res = await anonymous.get(p);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const csp = parseCsp(res.headers.get('content-security-policy'));
      const nonce = /^'nonce-([A-Za-z0-9+/=]+)'$/.exec(csp['style-src'][1])![1];
      expect(res.text).toContain(`<vigil-root ngCspNonce="${nonce}">`);
      expect(csp['script-src']).toEqual(["'self'"]);
      expect(csp['frame-ancestors']).toEqual(["'none'"]);
      expect(csp['upgrade-insecure-requests']).toBeUndefined();
      nonces.push(nonce);
    }
    expect(new Set(nonces).size).toBe(3);
    // a static file passes through to the file server, with the headers
    const js = await anonymous.get('/main-X.js');
    expect(js.status).toBe(200);
    expect(js.text).toBe('console.log(1)');
    expect(js.headers.get('x-content-type-options')).toBe('nosniff');
    // a content-hashed chunk is kept by the browser (a reload asks only for index.html)
    const chunk = await anonymous.get('/chunk-ABCD1234.js');
    expect(chunk.status).toBe(200);
    expect(chunk.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(js.headers.get('cache-control')).toBe('public, max-age=0');
  });

  it('every response: no-referrer, DENY framing, nosniff, same-origin opener; no HSTS on http; no X-Powered-By', async () => {
    for (const p of ['/', '/sentinel/', '/api/health', '/api/nope', '/api/docs']) {
      const res = await new TestClient(server).get(p);
      expect(`${p} ${res.headers.get('referrer-policy')}`).toBe(`${p} no-referrer`);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('cross-origin-opener-policy')).toBe('same-origin');
      expect(res.headers.get('strict-transport-security')).toBeNull();
      expect(res.headers.get('x-powered-by')).toBeNull();
      expect(parseCsp(res.headers.get('content-security-policy'))['frame-ancestors']).toEqual(["'none'"]);
    }
  });

  it('Sentinel: its inline style by hash, WebAssembly, blob: workers, screen capture allowed; nothing else inline', async () => {
    const res = await new TestClient(server).get('/sentinel/?exam=e&seat=s');
    expect(res.status).toBe(200);
    const csp = parseCsp(res.headers.get('content-security-policy'));
    expect(csp['style-src']).toEqual(["'self'", `'sha256-${createHash('sha256').update(SENTINEL_CSS).digest('base64')}'`]);
    expect(csp['script-src']).toEqual(["'self'", "'wasm-unsafe-eval'"]);
    expect(csp['worker-src']).toEqual(["'self'", 'blob:']);
    expect(res.headers.get('permissions-policy')).toMatch(/^display-capture=\(self\)/);
    // a rebuilt page with other styles gets its new hash without a restart
    const css2 = 'body{color:blue}';
    await writeFile(path.join(web, 'frontend-sentinel', 'index.html'), SENTINEL_HTML.replace(SENTINEL_CSS, css2));
    await utimes(path.join(web, 'frontend-sentinel', 'index.html'), new Date(), new Date(Date.now() + 5000));
    const again = parseCsp((await new TestClient(server).get('/sentinel/')).headers.get('content-security-policy'));
    expect(again['style-src']).toEqual(["'self'", `'sha256-${createHash('sha256').update(css2).digest('base64')}'`]);
  });

  it('API responses: default-src none; share links may be embedded elsewhere (CORP cross-origin)', async () => {
    const health = await new TestClient(server).get('/api/health');
    expect(parseCsp(health.headers.get('content-security-policy'))['default-src']).toEqual(["'none'"]);
    expect(health.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    const shared = await new TestClient(server).get('/api/shared/not-a-token/recording.mp4');
    expect(shared.headers.get('cross-origin-resource-policy')).toBe('cross-origin');
  });

  it('API docs (VIGIL_API_DOCS=login): 401 without login, 200 with one, their own CSP without inline script', async () => {
    for (const p of ['/api/docs', '/api/docs/', '/api/docs-json', '/api/docs-yaml', '/api/docs/swagger-ui-init.js', '/api/docs/swagger-ui-bundle.js']) {
      const res = await new TestClient(server).get(p);
      expect(`${p} ${res.status}`).toBe(`${p} 401`);
      expect(res.body.message).toMatch(/log in first/);
    }
    const admin = await adminClient(server);
    const page = await admin.get('/api/docs');
    expect(page.status).toBe(200);
    const csp = parseCsp(page.headers.get('content-security-policy'));
    expect(csp['script-src']).toEqual(["'self'"]);
    // Swagger UI's page loads its scripts from files: nothing inline that the CSP would block
    expect(page.text).not.toMatch(/<script>(?!\s*<\/script>)/);
    expect((await admin.get('/api/docs/swagger-ui-init.js')).status).toBe(200);
    expect((await admin.get('/api/docs-json')).body.info.title).toBe('Vigil control API');
    // a session still on its one-time password: 403, as on every other route
    const created = await admin.post('/api/users', { email: 'fresh@vigil.test' });
    const fresh = new TestClient(server);
    await fresh.login('fresh@vigil.test', created.body.oneTimePassword);
    const pending = await fresh.get('/api/docs');
    expect(pending.status).toBe(403);
    expect(pending.body.message).toMatch(/change your one-time password first/);
  });
});

describe('security headers with an https public URL, API docs on', () => {
  let server: TestServer;
  let web: string;

  beforeAll(async () => {
    web = await webDir();
    server = await startTestServer('sqlite', { VIGIL_WEB_DIR: web, VIGIL_PUBLIC_URL: 'https://proctor.example.org', VIGIL_API_DOCS: 'on' });
  });

  afterAll(async () => {
    await server.close();
    await rm(web, { recursive: true, force: true });
  });

  it('sends HSTS (one year, this host only) and upgrade-insecure-requests', async () => {
    for (const p of ['/', '/sentinel/', '/api/health']) {
      const res = await new TestClient(server).get(p);
      expect(res.headers.get('strict-transport-security')).toBe('max-age=31536000');
      expect(parseCsp(res.headers.get('content-security-policy'))['upgrade-insecure-requests']).toEqual([]);
    }
    const sentinel = parseCsp((await new TestClient(server).get('/sentinel/')).headers.get('content-security-policy'));
    expect(sentinel['connect-src']).toContain('wss://proctor.example.org');
  });

  it('VIGIL_API_DOCS=on: the docs for anyone', async () => {
    expect((await new TestClient(server).get('/api/docs')).status).toBe(200);
    expect((await new TestClient(server).get('/api/docs-json')).status).toBe(200);
  });
});

describe('VIGIL_API_DOCS=off', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer('sqlite', { VIGIL_API_DOCS: 'off' });
  });

  afterAll(async () => {
    await server.close();
  });

  it('answers 404 for the docs, even to an admin; the API itself works', async () => {
    const admin = await adminClient(server);
    for (const p of ['/api/docs', '/api/docs-json', '/api/docs-yaml']) expect(`${p} ${(await admin.get(p)).status}`).toBe(`${p} 404`);
    expect((await admin.get('/api/exams')).status).toBe(200);
  });
});
