import type { DynamicModule } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream, LoggerOptions } from 'pino';
import type { Options as PinoHttpOptions } from 'pino-http';

/**
 * Structured logs (`VIGIL_LOG_FORMAT=json`): every log line one JSON object (pino) with
 * `time` (ms since the Unix epoch), `level` (label), `context` (the Nest logger's name), `msg`;
 * relay lines also `streamId` / `examId` where the message names them; lines logged while
 * serving an HTTP request carry its `reqId`, and each request gets one line when it completes
 * (method, scrubbed URL, status, time taken; `X-Request-Id` is echoed or made).
 *
 * Secrets never reach the output: `Authorization` and `Cookie` request headers,
 * `Set-Cookie` response headers, password and token fields anywhere two levels deep are
 * replaced by `[Redacted]` (pino `redact`), and URLs lose their `token=` query values and the
 * share token of `/api/shared/<token>/…`. Bodies are never logged. (The first admin's
 * one-time password line, `VIGIL_ADMIN_EMAIL`, is deliberate: it is how that password is
 * handed over.)
 */

/** Where log lines go (default stdout); tests pass a collector. */
export type LogDestination = DestinationStream;

/** What pino replaces with `[Redacted]`. */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'req.query.token',
  'req.params.token',
  'password',
  'currentPassword',
  'newPassword',
  'oneTimePassword',
  'token',
  'secret',
  '*.password',
  '*.currentPassword',
  '*.newPassword',
  '*.oneTimePassword',
  '*.token',
  '*.secret',
  '*.*.password',
  '*.*.token',
];

const ID = '[A-Za-z0-9._:-]{1,128}';
const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const STREAM_IN_MESSAGE = new RegExp(`\\bstream (${UUID})\\b`);
const EXAM_IN_MESSAGE = new RegExp(`\\bexam (${UUID})\\b`);
const REQUEST_ID = new RegExp(`^${ID}$`);

/**
 * A URL as it may be logged: `token=` (and `access_token=`) query values and the share token in
 * `/api/shared/<token>/…` replaced by `[Redacted]`.
 */
export function scrubUrl(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  return url
    .replace(/^(\/api\/shared\/)[^/?#]+/, '$1[Redacted]')
    .replace(/([?&](?:access_)?token=)[^&#]*/gi, '$1[Redacted]');
}

/** Ids named in a log message (`stream <uuid>`, `exam <uuid>`), as fields. */
export function idsInMessage(message: string): { streamId?: string; examId?: string } {
  const out: { streamId?: string; examId?: string } = {};
  const stream = STREAM_IN_MESSAGE.exec(message);
  if (stream) out.streamId = stream[1];
  const exam = EXAM_IN_MESSAGE.exec(message);
  if (exam) out.examId = exam[1];
  return out;
}

/** The pino options of the JSON logs (pure; exported for tests). */
export function jsonLoggerOptions(level: 'info' | 'error'): PinoHttpOptions<IncomingMessage, ServerResponse> & LoggerOptions {
  return {
    level,
    base: undefined, // no pid / hostname on every line
    redact: { paths: REDACT_PATHS, censor: '[Redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      // relay lines name their stream in the text: also as a field, so log search can filter on it
      logMethod(args, method) {
        const [first, second] = args as unknown[];
        if (typeof second === 'string' && typeof first === 'object' && first !== null) {
          const ids = idsInMessage(second);
          if (ids.streamId !== undefined || ids.examId !== undefined) (args as unknown[])[0] = { ...ids, ...first };
        }
        return method.apply(this, args);
      },
    },
    genReqId: (req, res) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    quietReqLogger: true, // lines logged during a request carry reqId, not the whole request
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    autoLogging: { ignore: (req) => req.url === '/metrics' || req.url === '/api/health' },
    serializers: {
      req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown>; remoteAddress?: string }) => ({
        id: req.id,
        method: req.method,
        url: scrubUrl(req.url),
        // a Referer may be a kiosk URL of the time tokens rode in the query
        headers: typeof req.headers['referer'] === 'string' ? { ...req.headers, referer: scrubUrl(req.headers['referer']) } : req.headers,
        remoteAddress: req.remoteAddress,
      }),
      // the status and what was sent, not the security headers every response carries
      res: (res: { statusCode: number; headers: Record<string, unknown> }) => ({
        statusCode: res.statusCode,
        headers: pick(res.headers ?? {}, ['content-type', 'content-length', 'location', 'set-cookie', 'x-request-id']),
      }),
    },
  };
}

function pick(from: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}

/** nestjs-pino's module for the app (HTTP request logging, the logger `app.useLogger` takes). */
export function jsonLoggerModule(options: { quiet?: boolean; destination?: LogDestination } = {}): DynamicModule {
  const pinoOptions = jsonLoggerOptions(options.quiet ? 'error' : 'info');
  return LoggerModule.forRoot({ pinoHttp: options.destination ? [pinoOptions, options.destination] : pinoOptions });
}
