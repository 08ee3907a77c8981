/**
 * Turns a failed request into a sentence for the user. Pure: takes anything
 * shaped like Angular's `HttpErrorResponse` (`status`, `error` = the parsed
 * body, `message`), so it is tested without Angular.
 */

/** The parts of an `HttpErrorResponse` this module reads. */
export interface HttpErrorLike {
  status?: number;
  error?: unknown;
  message?: string;
}

/**
 * The server's own message when it sent one (Nest's `{ statusCode, message, error }`,
 * where `message` is a string or a list: joined with "; "), else a description of the status.
 */
export function describeHttpError(err: unknown): string {
  const e = (err ?? {}) as HttpErrorLike;
  const status = typeof e.status === 'number' ? e.status : undefined;
  // Status 0: no answer at all; `error` is then the network error, not a server body.
  if (status === 0) return 'The server cannot be reached: check the network and try again.';
  const fromBody = serverMessage(e.error);
  if (fromBody) return fromBody;
  if (status !== undefined && STATUS_TEXT[status]) return STATUS_TEXT[status]!;
  if (status !== undefined && status >= 500) return `The server failed (${status}): try again, or ask the administrator to look at its log.`;
  if (err instanceof Error) return err.message;
  return e.message || (status !== undefined ? `The request failed (${status}).` : 'The request failed.');
}

/** HTTP status of a failed request, or null when it has none (not an HTTP error). */
export function httpStatus(err: unknown): number | null {
  const s = (err as HttpErrorLike | null)?.status;
  return typeof s === 'number' ? s : null;
}

const STATUS_TEXT: Record<number, string> = {
  401: 'You are not logged in (or your session has expired).',
  403: 'You are not allowed to do this.',
  404: 'Not found.',
  409: 'This conflicts with the current state: reload and try again.',
  429: 'Too many attempts: wait a minute and try again.',
};

/** `message` of a Nest error body (string or string[]), or a plain-text body; null if none. */
function serverMessage(body: unknown): string | null {
  if (typeof body === 'string') {
    const text = body.trim();
    // An HTML error page or a long dump is no message for a person.
    return text.length > 0 && text.length <= 300 && !text.startsWith('<') ? text : null;
  }
  if (body && typeof body === 'object') {
    const m = (body as { message?: unknown }).message;
    if (typeof m === 'string' && m.trim()) return m.trim();
    if (Array.isArray(m)) {
      const parts = m.filter((x): x is string => typeof x === 'string' && x.trim().length > 0);
      if (parts.length) return parts.join('; ');
    }
  }
  return null;
}
