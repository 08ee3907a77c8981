import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCookieAuth, ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Access, CurrentActor } from '../auth/decorators';
import type { Actor } from '../auth/principal';
import { CreateUserDto, CreatedUserView, OneTimePasswordView, UpdateUserDto, UserView } from './users.dto';
import { UsersService } from './users.service';

/** Proctor and admin accounts (admins only). */
@ApiTags('users')
@ApiCookieAuth()
@ApiBearerAuth()
@Controller('api/users')
@Access('admin')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'Every user with their exam assignments (admin)' })
  list(): Promise<UserView[]> {
    return this.users.list();
  }

  @Post()
  @ApiOperation({ summary: 'Create a proctor or admin; answers the one-time password once (admin)' })
  create(@CurrentActor() actor: Actor, @Body() body: CreateUserDto): Promise<CreatedUserView> {
    return this.users.create(actor, body);
  }

  @Get(':userId')
  @ApiOperation({ summary: 'One user (admin)' })
  get(@Param('userId') userId: string): Promise<UserView> {
    return this.users.get(userId);
  }

  @Patch(':userId')
  @ApiOperation({ summary: 'Rename, change role, disable or enable (admin)' })
  update(@CurrentActor() actor: Actor, @Param('userId') userId: string, @Body() body: UpdateUserDto): Promise<UserView> {
    return this.users.update(actor, userId, body);
  }

  @Delete(':userId')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user (admin)' })
  async remove(@CurrentActor() actor: Actor, @Param('userId') userId: string): Promise<void> {
    await this.users.remove(actor, userId);
  }

  @Post(':userId/reset-password')
  @HttpCode(200)
  @ApiOperation({ summary: "New one-time password; the user's sessions end (admin)" })
  async resetPassword(@CurrentActor() actor: Actor, @Param('userId') userId: string): Promise<OneTimePasswordView> {
    return { oneTimePassword: await this.users.resetPassword(actor, userId) };
  }
}
