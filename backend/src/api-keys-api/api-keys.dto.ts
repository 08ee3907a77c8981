import { ApiProperty } from '@nestjs/swagger';
import { IsString, Length } from 'class-validator';
import type { ApiKey, CreatedApiKey } from '@vigil/api';

/** Body of `POST /api/api-keys`. */
export class CreateApiKeyDto {
  @ApiProperty({ example: 'nightly export', minLength: 1, maxLength: 100 })
  @IsString({ message: 'name must be a string' })
  @Length(1, 100, { message: 'name must be 1 to 100 characters' })
  name!: string;
}

/** An API key as listed (never the key itself). */
export class ApiKeyView implements ApiKey {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ example: 'vgk_AbCdEfGh', description: 'first characters of the key' }) prefix!: string;
  @ApiProperty() createdAtMs!: number;
  @ApiProperty({ description: "creator's e-mail; the key acts as this admin" }) createdBy!: string;
  @ApiProperty({ type: Number, nullable: true }) lastUsedAtMs!: number | null;
  @ApiProperty({ type: Number, nullable: true }) revokedAtMs!: number | null;
}

/** Answer of `POST /api/api-keys`: the key is shown here only. */
export class CreatedApiKeyView implements CreatedApiKey {
  @ApiProperty({ type: ApiKeyView }) apiKey!: ApiKeyView;
  @ApiProperty({ example: 'vgk_…', description: 'send as Authorization: Bearer <key>; shown once, stored as SHA-256' }) key!: string;
}
