import { Module } from '@nestjs/common';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';
import { AdminBootstrapService } from './admin-bootstrap.service';

/** User accounts (admin API) and the first admin from `VIGIL_ADMIN_EMAIL`. */
@Module({ controllers: [UsersController], providers: [UsersService, AdminBootstrapService], exports: [UsersService] })
export class UsersModule {}
