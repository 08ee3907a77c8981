import './threadpool'; // before anything that could use libuv's thread pool
import { appliedHeapGrowthFlags } from './heap-growth'; // V8's heap limits, before the application allocates
import 'reflect-metadata';
import { MAX_IMPORT_BYTES } from '@vigil/api';
import { Logger, ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { AppModule } from './app.module';
import { VigilConfig, loadConfig } from './config/vigil-config';
import { CLI_COMMANDS, cliFailure, runCli } from './cli';
import { SESSION_COOKIE } from './auth/session-cookie';
import { AuthService } from './auth/auth.service';
import { pageKindOf, portalIndex, securityHeaders } from './config/security-headers';
import { Logger as JsonLogger } from 'nestjs-pino';
import type { LogDestination } from './common/json-logging';
import { bodyErrors } from './common/body-errors';
import { gcStartupWarning } from './gc-threads';
import { RawWsAdapter } from './gateways/raw-ws-adapter';

/**
 * Creates the Nest application (HTTP + WebSocket on one port) without listening: opens
 * and migrates the database first. The WebSocket adapter's own JSON routing is switched
 * off: gateways read raw frames (`gateways/raw-ws-adapter.ts`: no per-message routing
 * work). Security headers on every response (helmet, a CSP per kind of page:
 * `config/security-headers.ts`); the portal's index.html carries the response's CSP nonce. OpenAPI at `/api/docs` (JSON: `/api/docs-json`) as
 * `VIGIL_API_DOCS` says: `on`, `off` (404), `login` (401/403 unless a logged-in user or
 * an admin API key asks). Logs: Nest's readable lines, or with `VIGIL_LOG_FORMAT=json` one JSON
 * object per line (pino, `common/json-logging.ts`: request ids, secrets redacted) to stdout or
 * `options.logDestination`.
 */
export async function createApp(config: VigilConfig, options: { quiet?: boolean; logDestination?: LogDestination } = {}) {
  const json = config.logFormat === 'json';
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, { quiet: options.quiet, destination: options.logDestination }), {
    logger: options.quiet ? ['error'] : ['log', 'warn', 'error'],
    bufferLogs: json, // start-up lines wait for the JSON logger
  });
  if (json) app.useLogger(app.get(JsonLogger));
  if (config.trustProxy !== null) {
    app.set('trust proxy', /^\d+$/.test(config.trustProxy) ? Number(config.trustProxy) : config.trustProxy);
  }
  const webDir = path.resolve(config.webDir);
  app.use(securityHeaders(config, path.join(webDir, 'frontend-sentinel', 'index.html')));
  app.use(portalIndex(path.join(webDir, 'frontend-proctor', 'browser', 'index.html')));
  if (config.apiDocs === 'login') app.use(apiDocsLogin(app.get(AuthService)));
  app.useBodyParser('json', { limit: '1mb' });
  app.useBodyParser('text', { type: 'text/csv', limit: MAX_IMPORT_BYTES }); // the seat list (libs/api seat-csv.ts)
  app.use(bodyErrors()); // 413/400 with a message for refused bodies (else they end as 404 in serve-static's error handler)
  app.useWebSocketAdapter(new RawWsAdapter(app, { messageParser: () => undefined }));
  app.useGlobalPipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  const openApi = new DocumentBuilder()
    .setTitle('Vigil control API')
    .setDescription('Exams, seats, proctors, API keys, live control and recordings. Who may call what: docs/control-api.md.')
    .setVersion('1')
    .addCookieAuth(SESSION_COOKIE)
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'admin API key (vgk_…)' })
    .build();
  const document = () =>
    // bundling renames classes (StreamsController2): operation ids use the source names
    SwaggerModule.createDocument(app, openApi, { operationIdFactory: (controller, method) => `${controller.replace(/\d+$/, '')}_${method}` });
  if (config.apiDocs !== 'off') SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
  app.enableShutdownHooks();
  return app;
}

interface DocsRequest {
  path: string;
  headers: Record<string, string | string[] | undefined>;
}
interface DocsResponse {
  status(code: number): { json(body: unknown): unknown };
}

/**
 * Express middleware for `VIGIL_API_DOCS=login`: `/api/docs…` (the page, its assets, the
 * JSON and YAML documents) only for a logged-in proctor or admin, or an admin API key; 401
 * (nobody) or 403 (a one-time password not yet changed) with the control API's messages.
 */
function apiDocsLogin(auth: AuthService): (req: DocsRequest, res: DocsResponse, next: (err?: unknown) => void) => void {
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  return (req, res, next) => {
    if (pageKindOf(req.path) !== 'docs') return next();
    auth
      .resolve({ cookie: first(req.headers['cookie']), authorization: first(req.headers['authorization']) })
      .then((principal) => {
        if (!principal) {
          res.status(401).json({ statusCode: 401, error: 'Unauthorized', message: 'log in first (POST /api/auth/login), or send Authorization: Bearer <admin API key>; the API docs need a login (VIGIL_API_DOCS=login)' });
        } else if (principal.mustChangePassword) {
          res.status(403).json({ statusCode: 403, error: 'Forbidden', message: 'change your one-time password first: POST /api/auth/password {currentPassword, newPassword}' });
        } else {
          next();
        }
      }, next);
  };
}

async function main(): Promise<void> {
  const logger = new Logger('Vigil');
  let config: VigilConfig;
  try {
    config = loadConfig(process.env);
  } catch (e) {
    logger.error((e as Error).message);
    process.exit(2);
  }
  const command = process.argv[2];
  if (command !== undefined) {
    if (!(CLI_COMMANDS as readonly string[]).includes(command)) {
      logger.error(`unknown command ${command}; commands: ${CLI_COMMANDS.join(', ')} (none = start the server)`);
      process.exit(2);
    }
    const result = await runCli(config, process.argv.slice(2)).catch(cliFailure);
    if (result.out) (result.code === 0 ? process.stdout : process.stderr).write(result.out + '\n');
    process.exit(result.code);
  }
  for (const page of ['frontend-sentinel/index.html', 'frontend-proctor/browser/index.html']) {
    if (!existsSync(path.resolve(config.webDir, page))) {
      logger.warn(`${path.resolve(config.webDir, page)} is missing: run "npm run build" first (pages will answer 404)`);
    }
  }
  if (!existsSync(path.resolve(config.webDir, 'frontend-sentinel/openh264/openh264.wasm'))) {
    logger.warn(
      'the OpenH264 WebAssembly fallback encoder is not built: Sentinels whose browser has no WebCodecs H.264 encoder ' +
        'cannot stream (WebCodecs still works). Build it with "bash tools/openh264-wasm/build.sh".',
    );
  }
  let app: Awaited<ReturnType<typeof createApp>>;
  try {
    app = await createApp(config);
    await app.listen(config.port, config.host);
  } catch (e) {
    logger.error(`Vigil could not start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
  const base = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${config.port}`;
  const docs = config.apiDocs === 'off' ? 'off (VIGIL_API_DOCS)' : `${base}/api/docs${config.apiDocs === 'login' ? ' (after login)' : ''}`;
  logger.log(`Vigil is up. Proctor portal: ${base}/   API: ${docs}   Kiosk URLs: GET /api/exams/EXAM/seats/kiosk-urls.csv`);
  logger.log(`Recordings in ${path.resolve(config.dataDir)}`);
  const gcWarning = gcStartupWarning(availableParallelism(), process.execArgv);
  if (gcWarning) logger.warn(gcWarning);
  if (appliedHeapGrowthFlags.length > 0) logger.log(`One CPU: V8 runs with ${appliedHeapGrowthFlags.join(' ')} (backend/src/gc-threads.ts)`);
}

if (require.main === module) void main();
