/** The message of an error, or the value as text (for logs and protocol error messages). */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
