import { CanActivate, ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { AuthService } from './auth.service';
import { ACCESS_KEY, ALLOW_PENDING_PASSWORD_KEY, type AccessLevel } from './decorators';
import { isAllowedOrigin } from './origin';
import { PRINCIPAL_KEY, type Principal } from './principal';

interface GuardedRequest {
  method: string;
  headers: Record<string, string | string[] | undefined>;
  [PRINCIPAL_KEY]?: Principal;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Global guard on every HTTP route (deny by default): a route without `@Access(...)` is
 * for admins. Resolves the session cookie or API key into the request's principal;
 * refuses with 401 (nobody), 403 (a proctor on an admin route, a one-time password not
 * yet changed, a cookie-authenticated write from a foreign Origin). Exam-level checks
 * (404 for other exams) are the services' job, with {@link ExamAccessService}.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true; // WebSocket gateways authenticate their upgrade themselves
    const targets = [context.getHandler(), context.getClass()];
    const level = this.reflector.getAllAndOverride<AccessLevel | undefined>(ACCESS_KEY, targets) ?? 'admin';
    if (level === 'public') return true;
    const req = context.switchToHttp().getRequest<GuardedRequest>();
    const principal = await this.auth.resolve({ cookie: header(req, 'cookie'), authorization: header(req, 'authorization') });
    if (!principal) {
      throw new UnauthorizedException('log in first (POST /api/auth/login), or send Authorization: Bearer <admin API key>; the session may have expired');
    }
    req[PRINCIPAL_KEY] = principal;
    if (principal.via === 'session' && !SAFE_METHODS.has(req.method.toUpperCase())) {
      const origin = header(req, 'origin');
      if (origin !== undefined && !isAllowedOrigin(origin, header(req, 'host'), this.config)) {
        throw new ForbiddenException(`requests from origin ${origin.slice(0, 40)} are refused: use the portal on this server (or list it in VIGIL_ALLOWED_ORIGINS)`);
      }
    }
    if (principal.mustChangePassword && !this.reflector.getAllAndOverride<boolean>(ALLOW_PENDING_PASSWORD_KEY, targets)) {
      throw new ForbiddenException('change your one-time password first: POST /api/auth/password {currentPassword, newPassword}');
    }
    if (level === 'admin' && principal.role !== 'admin') throw new ForbiddenException('this route is for admins only');
    return true;
  }
}

function header(req: GuardedRequest, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
