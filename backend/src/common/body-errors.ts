/**
 * Express error middleware for what the body parsers refuse (body-parser's errors carry a
 * 4xx `status` and a `type` such as `entity.too.large`, `entity.parse.failed`,
 * `encoding.unsupported`, `request.aborted`): answers that status with the control API's JSON
 * error shape and a message that says what to send instead.
 *
 * Registered right after the body parsers: later in the chain, `@nestjs/serve-static`'s error
 * handler turns every error on an API path into `404 Cannot POST …`, which told a caller
 * nothing (an oversized or malformed body looked like a missing route).
 */
import { STATUS_CODES } from 'node:http';

/** A body-parser error (the fields this middleware reads). */
interface BodyParserError {
  status?: unknown;
  type?: unknown;
  limit?: unknown;
  message?: unknown;
}

interface ErrorResponse {
  headersSent: boolean;
  status(code: number): { json(body: unknown): unknown };
}

const BODY_ERROR_TYPES = /^(entity\.|encoding\.|charset\.|request\.)/;

/** The control API's error body for a refused request body, or null when `err` is not one. */
export function bodyErrorResponse(err: unknown): { statusCode: number; error: string; message: string } | null {
  const e = err as BodyParserError | null;
  if (!e || typeof e !== 'object' || typeof e.type !== 'string' || !BODY_ERROR_TYPES.test(e.type)) return null;
  const status = typeof e.status === 'number' && e.status >= 400 && e.status < 500 ? e.status : 400;
  const error = STATUS_CODES[status] ?? 'Bad Request';
  switch (e.type) {
    case 'entity.too.large':
      return { statusCode: status, error, message: `request body too large: at most ${typeof e.limit === 'number' ? `${e.limit} bytes` : 'the limit'} for this content type; send less` };
    case 'entity.parse.failed':
      return { statusCode: status, error, message: `request body is not valid JSON (${String(e.message).slice(0, 120)})` };
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return { statusCode: status, error, message: 'request body encoding or charset not supported: send UTF-8, uncompressed or gzip/deflate' };
    default:
      return { statusCode: status, error, message: `request body refused: ${String(e.message).slice(0, 120)}` };
  }
}

/** The middleware (4 arguments: Express calls it only with an error). */
export function bodyErrors(): (err: unknown, req: unknown, res: ErrorResponse, next: (err?: unknown) => void) => void {
  return (err, _req, res, next) => {
    const body = bodyErrorResponse(err);
    if (!body || res.headersSent) return next(err);
    res.status(body.statusCode).json(body);
  };
}
