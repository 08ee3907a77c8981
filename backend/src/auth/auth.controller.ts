import { Body, Controller, Get, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ApiCookieAuth, ApiOperation, ApiTags, ApiTooManyRequestsResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { ThrottlerGuard } from '@nestjs/throttler';
import { DatabaseService } from '../db/database.service';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { userView } from '../users-api/users.dto';
import { AuthService, TooManyLoginsException } from './auth.service';
import { ChangePasswordDto, LoginDto, LoginView, MeView } from './auth.dto';
import { Access, AllowPasswordChangePending, CurrentActor } from './decorators';
import type { Actor } from './principal';
import { clearedSessionCookie, sessionCookie } from './session-cookie';

interface HttpRequest {
  ip?: string;
  secure?: boolean;
  headers: Record<string, string | string[] | undefined>;
}
interface HttpResponse {
  setHeader(name: string, value: string): void;
}

/** Login, logout, who am I, change my password. */
@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly database: DatabaseService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {}

  @Post('login')
  @HttpCode(200)
  @Access('public')
  @UseGuards(ThrottlerGuard)
  @ApiOperation({ summary: 'Log in with e-mail and password; sets the httpOnly session cookie (anyone, rate-limited)' })
  @ApiUnauthorizedResponse({ description: 'email or password is wrong' })
  @ApiTooManyRequestsResponse({
    description:
      'too many attempts from this address (VIGIL_LOGIN_RATE_LIMIT per minute; the client address is the one VIGIL_TRUST_PROXY vouches for), ' +
      'or too many failed logins for this account (VIGIL_LOGIN_ACCOUNT_LIMIT per VIGIL_LOGIN_ACCOUNT_WINDOW_MINUTES, known or unknown e-mail alike); Retry-After says when to try again',
  })
  async login(@Body() body: LoginDto, @Req() req: HttpRequest, @Res({ passthrough: true }) res: HttpResponse): Promise<LoginView> {
    const userAgent = typeof req.headers['user-agent'] === 'string' ? req.headers['user-agent'] : null;
    const { user, session } = await this.auth.login(body.email, body.password, req.ip ?? null, userAgent).catch((e: unknown) => {
      if (e instanceof TooManyLoginsException) res.setHeader('Retry-After', String(e.retryAfterSeconds));
      throw e;
    });
    const maxAge = Math.floor((session.expiresAtMs - Date.now()) / 1000);
    res.setHeader('Set-Cookie', sessionCookie(session.token, maxAge, this.secure(req)));
    return { user: userView(user, await this.examIds(user.id)), mustChangePassword: user.mustChangePassword === 1, expiresAtMs: session.expiresAtMs };
  }

  @Post('logout')
  @HttpCode(204)
  @Access('authenticated')
  @AllowPasswordChangePending()
  @ApiCookieAuth()
  @ApiOperation({ summary: 'End the session and clear the cookie (any logged-in user)' })
  async logout(@CurrentActor() actor: Actor, @Req() req: HttpRequest, @Res({ passthrough: true }) res: HttpResponse): Promise<void> {
    await this.auth.logout(actor);
    res.setHeader('Set-Cookie', clearedSessionCookie(this.secure(req)));
  }

  @Get('me')
  @Access('authenticated')
  @AllowPasswordChangePending()
  @ApiCookieAuth()
  @ApiOperation({ summary: 'The logged-in user (any logged-in user or API key)' })
  async me(@CurrentActor() actor: Actor): Promise<MeView> {
    const p = actor.principal!;
    const user = await this.database.db.selectFrom('users').selectAll().where('id', '=', p.userId).executeTakeFirstOrThrow();
    return { user: userView(user, await this.examIds(user.id)), via: p.via, mustChangePassword: p.mustChangePassword };
  }

  @Post('password')
  @HttpCode(204)
  @Access('authenticated')
  @AllowPasswordChangePending()
  @ApiCookieAuth()
  @ApiOperation({ summary: "Change the caller's password; other sessions end (session only)" })
  async changePassword(@CurrentActor() actor: Actor, @Body() body: ChangePasswordDto): Promise<void> {
    await this.auth.changePassword(actor, body.currentPassword, body.newPassword);
  }

  private async examIds(userId: string): Promise<string[]> {
    const rows = await this.database.db.selectFrom('examProctors').select('examId').where('userId', '=', userId).orderBy('examId').execute();
    return rows.map((r) => r.examId);
  }

  private secure(req: HttpRequest): boolean {
    return req.secure === true || (this.config.publicUrl?.startsWith('https:') ?? false);
  }
}
