import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { UsersService } from './users.service';

/** The log line that carries a generated one-time password (e2e helpers read it). */
export function oneTimePasswordLine(email: string, password: string): string {
  return `one-time password for ${email}: ${password}`;
}

/**
 * First admin: with `VIGIL_ADMIN_EMAIL` set and no user of that e-mail, creates an
 * admin and prints its one-time password once. Never a default password.
 */
@Injectable()
export class AdminBootstrapService implements OnApplicationBootstrap {
  private readonly logger = new Logger('Users');

  constructor(
    private readonly users: UsersService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const email = this.config.adminEmail;
    if (!email) {
      if (!(await this.users.hasAdmin())) {
        this.logger.warn('no admin yet: start with VIGIL_ADMIN_EMAIL=you@example.org, or run "node dist/backend/main.js create-admin you@example.org"');
      }
      return;
    }
    const created = await this.users.ensureAdmin(email, { principal: null, ip: null });
    if (!created) return;
    this.logger.warn(`created admin ${email} (VIGIL_ADMIN_EMAIL); it must be changed at first login. ${oneTimePasswordLine(email, created.oneTimePassword)}`);
  }
}
