import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEmail, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import type { UserRow } from '../db/database.types';
import type { CreatedUser, User } from '@vigil/api';

/** A user as the API shows it (never the password hash). */
export class UserView implements User {
  @ApiProperty() id!: string;
  @ApiProperty({ example: 'proctor@example.org' }) email!: string;
  @ApiProperty({ enum: ['admin', 'proctor'] }) role!: 'admin' | 'proctor';
  @ApiProperty() displayName!: string;
  @ApiProperty() disabled!: boolean;
  @ApiProperty({ description: 'still has a one-time password' }) mustChangePassword!: boolean;
  @ApiProperty() createdAtMs!: number;
  @ApiProperty({ type: [String], description: 'exams the user is assigned to (proctors)' }) examIds!: string[];
}

/** Maps a row and its assignments to {@link UserView}. */
export function userView(row: UserRow, examIds: string[]): UserView {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    displayName: row.displayName,
    disabled: row.disabledAt !== null,
    mustChangePassword: row.mustChangePassword === 1,
    createdAtMs: row.createdAt,
    examIds,
  };
}

/** Body of `POST /api/users`. */
export class CreateUserDto {
  @ApiProperty({ example: 'proctor@example.org' })
  @IsEmail({}, { message: 'email must be an e-mail address' })
  @MaxLength(254)
  email!: string;

  @ApiPropertyOptional({ enum: ['admin', 'proctor'], default: 'proctor' })
  @IsOptional()
  @IsIn(['admin', 'proctor'], { message: 'role must be admin or proctor' })
  role?: 'admin' | 'proctor';

  @ApiPropertyOptional({ description: 'defaults to the e-mail' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  displayName?: string;
}

/** Body of `PATCH /api/users/:userId`. */
export class UpdateUserDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  displayName?: string;

  @ApiPropertyOptional({ enum: ['admin', 'proctor'] })
  @IsOptional()
  @IsIn(['admin', 'proctor'], { message: 'role must be admin or proctor' })
  role?: 'admin' | 'proctor';

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean({ message: 'disabled must be true or false' })
  disabled?: boolean;
}

/** Answer of `POST /api/users`: the one-time password is shown here only. */
export class CreatedUserView implements CreatedUser {
  @ApiProperty({ type: UserView }) user!: UserView;
  @ApiProperty({ description: 'shown once; the user must change it at first login' }) oneTimePassword!: string;
}

/** Answer of `POST /api/users/:userId/reset-password`. */
export class OneTimePasswordView {
  @ApiProperty({ description: 'shown once' }) oneTimePassword!: string;
}
