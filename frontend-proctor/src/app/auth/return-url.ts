/**
 * A `returnUrl` query parameter made safe to navigate to: only a path inside
 * the portal (starting with one `/`, not the login or password pages);
 * anything else (absolute or protocol-relative URLs) becomes `/`.
 */
export function safeReturnUrl(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return '/';
  if (value.startsWith('/login') || value.startsWith('/change-password')) return '/';
  return value;
}
