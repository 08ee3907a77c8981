import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import type { AuditEntry } from '@vigil/api';

/** Query of `GET /api/audit`. */
export class AuditQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number' })
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'only entries with a smaller id (the next page)' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'beforeId must be a whole number' })
  @Min(1)
  beforeId?: number;

  @ApiPropertyOptional({ example: 'stream.fps' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  action?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 128)
  targetId?: string;
}

/** One audit log entry. */
export class AuditEntryView implements AuditEntry {
  @ApiProperty() id!: number;
  @ApiProperty({ description: 'ms since the Unix epoch' }) atMs!: number;
  @ApiProperty({ type: String, nullable: true }) actorId!: string | null;
  @ApiProperty({ example: 'admin@example.org' }) actor!: string;
  @ApiProperty({ example: 'exam.create' }) action!: string;
  @ApiProperty({ type: String, nullable: true }) targetType!: string | null;
  @ApiProperty({ type: String, nullable: true }) targetId!: string | null;
  @ApiProperty({ type: Object }) details!: Record<string, unknown>;
  @ApiProperty({ type: String, nullable: true }) ip!: string | null;
}
