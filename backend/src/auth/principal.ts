/** Who is calling: a logged-in user (session cookie) or a script (admin API key). */
export interface Principal {
  userId: string;
  email: string;
  role: 'admin' | 'proctor';
  via: 'session' | 'api-key';
  /** Session id (hash of the cookie value) when `via` is 'session'. */
  sessionId: string | null;
  /** API key id and prefix when `via` is 'api-key'. */
  apiKeyId: string | null;
  apiKeyPrefix: string | null;
  /** The user still has a one-time password: only `me`, `password` and `logout` are open. */
  mustChangePassword: boolean;
}

/** The caller of one request, as handed to services for authorisation and the audit log. */
export interface Actor {
  principal: Principal | null;
  /** Client address (Express `req.ip`, honours `VIGIL_TRUST_PROXY`). */
  ip: string | null;
}

/** How the audit log names an actor: the e-mail, or the API key prefix and its owner. */
export function actorLabel(principal: Principal | null): string {
  if (!principal) return 'system';
  if (principal.via === 'api-key') return `api-key ${principal.apiKeyPrefix} (${principal.email})`;
  return principal.email;
}

/** Request property the auth guard stores the {@link Principal} in. */
export const PRINCIPAL_KEY = 'vigilPrincipal';
