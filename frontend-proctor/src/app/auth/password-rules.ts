/** Rules for a new password, the same as the server's (`POST /api/auth/password`). Pure. */

/** Fewest characters of a new password. */
export const MIN_PASSWORD_LENGTH = 12;
/** Most characters of a new password. */
export const MAX_PASSWORD_LENGTH = 256;

/** What is wrong with `next` as the new password, or null when it is acceptable. */
export function newPasswordProblem(current: string, next: string): string | null {
  if (next.length < MIN_PASSWORD_LENGTH) return `At least ${MIN_PASSWORD_LENGTH} characters (${next.length} so far).`;
  if (next.length > MAX_PASSWORD_LENGTH) return `At most ${MAX_PASSWORD_LENGTH} characters.`;
  if (current.length > 0 && next === current) return 'Choose a password different from the current one.';
  return null;
}

/** What is wrong with the repeated password, or null when it matches. */
export function confirmPasswordProblem(next: string, confirm: string): string | null {
  return next === confirm ? null : 'The two passwords differ.';
}
