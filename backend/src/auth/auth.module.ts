import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { ExamAccessService } from './exam-access.service';
import { SessionService } from './session.service';

/**
 * Authentication (sessions, API keys, logins) and authorisation (the global
 * {@link AuthGuard}, exam scopes). Global: every feature module checks access.
 */
@Global()
@Module({
  imports: [
    ThrottlerModule.forRootAsync({
      inject: [VIGIL_CONFIG],
      useFactory: (config: VigilConfig) => ({ throttlers: [{ name: 'login', ttl: 60_000, limit: config.loginRateLimit }] }),
    }),
  ],
  controllers: [AuthController],
  providers: [AuthService, SessionService, ExamAccessService, { provide: APP_GUARD, useClass: AuthGuard }],
  exports: [AuthService, SessionService, ExamAccessService],
})
export class AuthModule {}
