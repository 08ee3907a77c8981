import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length, MaxLength } from 'class-validator';
import { UserView } from '../users-api/users.dto';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './secrets';
import type { LoginResult, MeResult } from '@vigil/api';

/** Body of `POST /api/auth/login`. */
export class LoginDto {
  @ApiProperty({ example: 'admin@example.org' })
  @IsString({ message: 'email must be a string' })
  @Length(1, 254, { message: 'email must be 1 to 254 characters' })
  email!: string;

  @ApiProperty()
  @IsString({ message: 'password must be a string' })
  @Length(1, PASSWORD_MAX_LENGTH, { message: `password must be 1 to ${PASSWORD_MAX_LENGTH} characters` })
  password!: string;
}

/** Body of `POST /api/auth/password`. */
export class ChangePasswordDto {
  @ApiProperty()
  @IsString({ message: 'currentPassword must be a string' })
  @MaxLength(PASSWORD_MAX_LENGTH)
  currentPassword!: string;

  @ApiProperty({ minLength: PASSWORD_MIN_LENGTH, maxLength: PASSWORD_MAX_LENGTH })
  @IsString({ message: 'newPassword must be a string' })
  @Length(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, { message: `newPassword must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters` })
  newPassword!: string;
}

/** Answer of `POST /api/auth/login`. */
export class LoginView implements LoginResult {
  @ApiProperty({ type: UserView }) user!: UserView;
  @ApiProperty() mustChangePassword!: boolean;
  @ApiProperty({ description: 'absolute end of the session, ms since the Unix epoch' }) expiresAtMs!: number;
}

/** Answer of `GET /api/auth/me`. */
export class MeView implements MeResult {
  @ApiProperty({ type: UserView }) user!: UserView;
  @ApiProperty({ enum: ['session', 'api-key'] }) via!: 'session' | 'api-key';
  @ApiProperty() mustChangePassword!: boolean;
}
