import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import { type Actor, type Principal, PRINCIPAL_KEY } from './principal';

/** Who may call a route. Routes without an {@link Access} decorator are admin-only (deny by default). */
export type AccessLevel = 'public' | 'authenticated' | 'proctor' | 'admin';

/** Metadata key of {@link Access}. */
export const ACCESS_KEY = 'vigil:access';
/** Metadata key of {@link AllowPasswordChangePending}. */
export const ALLOW_PENDING_PASSWORD_KEY = 'vigil:allow-pending-password';

/**
 * Who may call this route (or every route of a controller):
 * - `public`: anyone, no login (login, health);
 * - `authenticated`: any logged-in user or API key (me, logout, password);
 * - `proctor`: proctors and admins; the service then limits proctors to their exams;
 * - `admin`: admins only (the default when a route says nothing).
 */
export const Access = (level: AccessLevel) => SetMetadata(ACCESS_KEY, level);

/** The route stays open to a user who must still change a one-time password. */
export const AllowPasswordChangePending = () => SetMetadata(ALLOW_PENDING_PASSWORD_KEY, true);

interface RequestLike {
  [PRINCIPAL_KEY]?: Principal;
  ip?: string;
}

/** The request's {@link Actor} (principal set by the auth guard, client address). */
export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<RequestLike>();
  return { principal: req[PRINCIPAL_KEY] ?? null, ip: req.ip ?? null };
});
