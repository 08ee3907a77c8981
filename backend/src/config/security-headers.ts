import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet from 'helmet';
import type { VigilConfig } from './vigil-config';

/**
 * HTTP security headers (issue 8 finding 8), one policy per kind of response:
 *
 * - `portal` (the Angular proctor portal, `/` and its routes): scripts only from the server,
 *   no inline script at all; styles from the server plus Angular's component `<style>`
 *   elements, which carry a per-request nonce (`ngCspNonce` on `<vigil-root>`, Angular's
 *   documented CSP support); MSE video from `blob:`.
 * - `sentinel` (`/sentinel/…`): scripts from the server and WebAssembly compilation
 *   (`'wasm-unsafe-eval'`, the OpenH264 fallback), Workers from the server and `blob:` (the
 *   frame clock's timer Worker); the page's one inline `<style>` allowed by its SHA-256 hash;
 *   WebSockets to the server, to loopback (test proxies) and to `VIGIL_ALLOWED_ORIGINS`
 *   (the page's `&server=` override).
 * - `docs` (Swagger UI at `/api/docs`): its bundle from the server, its inline styles.
 * - `api` (everything else: JSON, media): `default-src 'none'`, nothing may run.
 *
 * Every kind: `frame-ancestors 'none'` (and `X-Frame-Options: DENY` for old browsers),
 * `object-src 'none'`, `base-uri 'self'`, `form-action 'self'`; `Referrer-Policy: no-referrer`;
 * `X-Content-Type-Options: nosniff`; `Cross-Origin-Opener-Policy: same-origin`;
 * `Permissions-Policy` leaving only screen capture (Sentinel) and clipboard writes (portal);
 * HSTS (RFC 6797) and `upgrade-insecure-requests` only when `VIGIL_PUBLIC_URL` is https.
 * Directive syntax: W3C Content Security Policy Level 3.
 */

/** Which policy a response gets. */
export type PageKind = 'portal' | 'sentinel' | 'docs' | 'api';

/** The response's CSP nonce (base64, 128 bits), set by {@link securityHeaders} on `res.locals`. */
export const CSP_NONCE_LOCAL = 'cspNonce';

/** HSTS max-age, seconds (one year). */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

/** The policy kind of a request path. */
export function pageKindOf(path: string): PageKind {
  if (path === '/sentinel' || path.startsWith('/sentinel/')) return 'sentinel';
  if (/^\/api\/docs($|[-/.])/.test(path)) return 'docs';
  if (path === '/api' || path.startsWith('/api/') || path.startsWith('/ws/') || path === '/metrics') return 'api';
  return 'portal';
}

/** Inputs of {@link cspDirectives} that vary per request or per build. */
export interface CspInputs {
  /** This response's nonce (portal). */
  nonce: string;
  /** `'sha256-…'` sources of the Sentinel page's inline `<style>` blocks. */
  sentinelStyleHashes: string[];
  /** Extra WebSocket origins (`wss://host`) the Sentinel may connect to. */
  sentinelSocketOrigins: string[];
  /** Add `upgrade-insecure-requests` (https deployments). */
  upgradeInsecure: boolean;
}

/**
 * The CSP directives of one kind of response (pure).
 * @returns directive name → source list, in helmet's shape
 */
export function cspDirectives(kind: PageKind, inputs: CspInputs): Record<string, string[]> {
  const common: Record<string, string[]> = {
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
    'object-src': ["'none'"],
  };
  if (inputs.upgradeInsecure) common['upgrade-insecure-requests'] = [];
  switch (kind) {
    case 'portal':
      return {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", `'nonce-${inputs.nonce}'`],
        'img-src': ["'self'", 'data:', 'blob:'],
        'media-src': ["'self'", 'blob:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'worker-src': ["'self'"],
        ...common,
      };
    case 'sentinel':
      return {
        'default-src': ["'self'"],
        'script-src': ["'self'", "'wasm-unsafe-eval'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'", ...inputs.sentinelStyleHashes],
        'img-src': ["'self'", 'data:'],
        'worker-src': ["'self'", 'blob:'],
        'connect-src': ["'self'", 'ws://127.0.0.1:*', 'ws://localhost:*', ...inputs.sentinelSocketOrigins],
        ...common,
      };
    case 'docs':
      return {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        // Swagger UI sets style attributes and an inline <style>; it runs no inline script
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        ...common,
      };
    case 'api':
      return { 'default-src': ["'none'"], ...common };
  }
}

/** `'sha256-…'` CSP sources of the inline `<style>` blocks of an HTML page (CSP3 §8.4 hash-source). */
export function inlineStyleHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const m of html.matchAll(/<style(?:\s[^>]*)?>([\s\S]*?)<\/style>/gi)) {
    hashes.push(`'sha256-${createHash('sha256').update(m[1], 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/** The `Permissions-Policy` header of a kind (W3C Permissions Policy). */
export function permissionsPolicy(kind: PageKind): string {
  const none = ['camera', 'microphone', 'geolocation', 'payment', 'usb', 'serial', 'bluetooth', 'hid', 'midi'].map((f) => `${f}=()`);
  const capture = kind === 'sentinel' ? 'display-capture=(self)' : 'display-capture=()';
  const clipboard = kind === 'portal' ? 'clipboard-write=(self)' : 'clipboard-write=()';
  return [capture, clipboard, ...none].join(', ');
}

/** WebSocket origins (`ws:`/`wss:`) of http(s) origins. */
export function socketOriginsOf(origins: string[]): string[] {
  return origins.map((o) => o.replace(/^http(s?):/, 'ws$1:'));
}

/**
 * A file read again only when its modification time changes (the built pages, which a
 * rebuild replaces under a running server). `read()` is null while the file is missing.
 */
export class FileCache<T> {
  private mtimeMs = -1;
  private value: T | null = null;

  constructor(
    private readonly file: string,
    private readonly derive: (text: string) => T,
  ) {}

  read(): T | null {
    let mtimeMs: number;
    try {
      mtimeMs = statSync(this.file).mtimeMs;
    } catch {
      this.mtimeMs = -1;
      this.value = null;
      return null;
    }
    if (mtimeMs !== this.mtimeMs) {
      this.value = this.derive(readFileSync(this.file, 'utf8'));
      this.mtimeMs = mtimeMs;
    }
    return this.value;
  }
}

interface Req {
  path: string;
}
interface Res {
  locals: Record<string, unknown>;
  setHeader(name: string, value: string): unknown;
}
type Next = (err?: unknown) => void;
type Middleware = (req: Req, res: Res, next: Next) => void;

/**
 * Express middleware setting the security headers above on every response, by the
 * request path's {@link PageKind}. Puts a fresh nonce in `res.locals.cspNonce`.
 * @param sentinelIndexHtml the built Sentinel page, for the hashes of its inline styles
 */
export function securityHeaders(config: Pick<VigilConfig, 'publicUrl' | 'allowedOrigins'>, sentinelIndexHtml: string): Middleware {
  const https = config.publicUrl?.startsWith('https:') ?? false;
  const sentinelStyles = new FileCache(sentinelIndexHtml, inlineStyleHashes);
  const sentinelSocketOrigins = socketOriginsOf([...(config.publicUrl ? [new URL(config.publicUrl).origin] : []), ...config.allowedOrigins]);
  const common = helmet({
    contentSecurityPolicy: false,
    strictTransportSecurity: https ? { maxAge: HSTS_MAX_AGE_SECONDS, includeSubDomains: false } : false,
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    crossOriginResourcePolicy: { policy: 'same-origin' },
  }) as unknown as Middleware;
  const policies = new Map<PageKind, Middleware>(
    (['portal', 'sentinel', 'docs', 'api'] as const).map((kind) => [
      kind,
      helmet.contentSecurityPolicy({
        useDefaults: false,
        directives: Object.fromEntries(
          Object.entries(
            cspDirectives(kind, { nonce: 'NONCE', sentinelStyleHashes: ['HASHES'], sentinelSocketOrigins, upgradeInsecure: https }),
          ).map(([name, sources]) => [
            name,
            sources.flatMap((s): (string | ((req: IncomingMessage, res: ServerResponse) => string))[] =>
              s === "'nonce-NONCE'"
                ? [(_req, res) => `'nonce-${String((res as unknown as Res).locals[CSP_NONCE_LOCAL])}'`]
                : s === 'HASHES'
                  ? [() => (sentinelStyles.read() ?? []).join(' ') || "'self'"]
                  : [s],
            ),
          ]),
        ),
      }) as unknown as Middleware,
    ]),
  );
  return (req, res, next) => {
    res.locals[CSP_NONCE_LOCAL] = randomBytes(16).toString('base64');
    const kind = pageKindOf(req.path);
    res.setHeader('Permissions-Policy', permissionsPolicy(kind));
    common(req, res, (err?: unknown) => {
      if (err) return next(err);
      if (kind === 'api' && req.path.startsWith('/api/shared/')) {
        // share links may be played by a <video> of another site (the link is the credential)
        res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
      }
      policies.get(kind)!(req, res, next);
    });
  };
}

/** Whether a GET of this path is answered with the portal's `index.html` (the SPA's routes). */
export function isPortalDocumentPath(path: string): boolean {
  if (pageKindOf(path) !== 'portal') return false;
  if (path === '/' || path === '/index.html') return true;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !/\.[A-Za-z0-9]+$/.test(last); // chunk-….js, styles-….css: the static files
}

/**
 * The `Cache-Control` of a built portal file: the bundler's content-hashed files (`chunk-…`,
 * `main-…`, `polyfills-…`, `styles-…`; a new build names them anew) never change, so a
 * browser keeps them for a year without asking again (a reload of the portal then fetches
 * only `index.html`, which is `no-store`); null for anything else (left to the static server).
 */
export function portalAssetCacheControl(filePath: string): string | null {
  return /(^|[/\\])(chunk|main|polyfills|styles)-[A-Z0-9]{8}\.(js|css)$/.test(filePath) ? 'public, max-age=31536000, immutable' : null;
}

/** The portal's index.html with the response's nonce on the root element (`ngCspNonce`, Angular's CSP_NONCE). */
export function withCspNonce(html: string, nonce: string): string {
  if (!/^[A-Za-z0-9+/=]+$/.test(nonce)) throw new TypeError('the nonce must be base64');
  return html.replace(/<vigil-root(?=[\s>])/, `<vigil-root ngCspNonce="${nonce}"`);
}

interface PageReq extends Req {
  method: string;
}
interface PageRes extends Res {
  status(code: number): PageRes;
  send(body: string): unknown;
  end(): unknown;
}

/**
 * Express middleware serving the portal's `index.html` (for `/` and every SPA route) with
 * this response's CSP nonce written into it (`res.locals.cspNonce` from
 * {@link securityHeaders}), `Cache-Control: no-store` (a nonce must not be reused from a
 * cache). Static files and a missing build fall through to the static file server.
 * @param portalIndexHtml path of the built `frontend-proctor/browser/index.html`
 */
export function portalIndex(portalIndexHtml: string): (req: PageReq, res: PageRes, next: Next) => void {
  const page = new FileCache(portalIndexHtml, (text) => text);
  return (req, res, next) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !isPortalDocumentPath(req.path)) return next();
    const html = page.read();
    if (html === null) return next();
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Cache-Control', 'no-store');
    res.status(200);
    if (req.method === 'HEAD') return void res.end();
    res.send(withCspNonce(html, String(res.locals[CSP_NONCE_LOCAL])));
  };
}
