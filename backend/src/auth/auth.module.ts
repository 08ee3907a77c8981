import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { ExamAccessService } from './exam-access.service';
import { SessionService } from './session.service';
import { LoginLimiter } from './login-limiter';

/**
 * Authentication (sessions, API keys, logins) and authorisation (the global
 * {@link AuthGuard}, exam scopes). Global: every feature module checks access.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [VIGIL_CONFIG],
      // named 'default' so the 429 carries a plain Retry-After header (other names get a suffix)
      useFactory: (config: VigilConfig) => ({ throttlers: [{ name: 'default', ttl: 60_000, limit: config.loginRateLimit }] }),
    }),
  ],
  controllers: [AuthController],
  providers: [
    AuthService,
    SessionService,
    ExamAccessService,
    { provide: APP_GUARD, useClass: AuthGuard },
    {
      provide: LoginLimiter,
      inject: [VIGIL_CONFIG],
      useFactory: (config: VigilConfig) => new LoginLimiter(config.loginAccountLimit, config.loginAccountWindowMinutes * 60_000),
    },
  ],
  exports: [AuthService, SessionService, ExamAccessService],
})
export class AuthModule {}
