import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { FPS_MAX, FPS_MIN } from '@vigil/protocol';
import type { Exam, StreamRecordView as ApiStreamRecordView } from '@vigil/api';

const MAX_TIME_MS = 8.64e15;

/** Body of `POST /api/exams`. */
export class CreateExamDto {
  @ApiProperty({ example: 'Algebra I, final', maxLength: 200 })
  @IsString({ message: 'name must be a string' })
  @Length(1, 200, { message: 'name must be 1 to 200 characters' })
  name!: string;

  @ApiProperty({ description: 'window start, ms since the Unix epoch' })
  @IsInt({ message: 'startsAtMs must be a whole number of ms since the Unix epoch' })
  @Min(0, { message: 'startsAtMs must be at least 0' })
  @Max(MAX_TIME_MS, { message: `startsAtMs must be at most ${MAX_TIME_MS}` })
  startsAtMs!: number;

  @ApiProperty({ description: 'window end, ms since the Unix epoch; seat tokens expire then' })
  @IsInt({ message: 'endsAtMs must be a whole number of ms since the Unix epoch' })
  @Min(0, { message: 'endsAtMs must be at least 0' })
  @Max(MAX_TIME_MS, { message: `endsAtMs must be at most ${MAX_TIME_MS}` })
  endsAtMs!: number;

  @ApiPropertyOptional({ minimum: FPS_MIN, maximum: FPS_MAX, default: 1, description: 'frame rate new streams start with' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'defaultFps must be a number of frames per second' })
  @Min(FPS_MIN, { message: `defaultFps must be at least ${FPS_MIN}` })
  @Max(FPS_MAX, { message: `defaultFps must be at most ${FPS_MAX}` })
  defaultFps?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 3650, default: 30, description: 'days recordings are kept' })
  @IsOptional()
  @IsInt({ message: 'retentionDays must be a whole number of days' })
  @Min(1, { message: 'retentionDays must be at least 1' })
  @Max(3650, { message: 'retentionDays must be at most 3650' })
  retentionDays?: number;
}

/** Body of `PATCH /api/exams/:examId`: any subset of {@link CreateExamDto}. */
export class UpdateExamDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString({ message: 'name must be a string' })
  @Length(1, 200, { message: 'name must be 1 to 200 characters' })
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt({ message: 'startsAtMs must be a whole number of ms since the Unix epoch' })
  @Min(0, { message: 'startsAtMs must be at least 0' })
  @Max(MAX_TIME_MS, { message: `startsAtMs must be at most ${MAX_TIME_MS}` })
  startsAtMs?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsInt({ message: 'endsAtMs must be a whole number of ms since the Unix epoch' })
  @Min(0, { message: 'endsAtMs must be at least 0' })
  @Max(MAX_TIME_MS, { message: `endsAtMs must be at most ${MAX_TIME_MS}` })
  endsAtMs?: number;

  @ApiPropertyOptional({ minimum: FPS_MIN, maximum: FPS_MAX })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'defaultFps must be a number of frames per second' })
  @Min(FPS_MIN, { message: `defaultFps must be at least ${FPS_MIN}` })
  @Max(FPS_MAX, { message: `defaultFps must be at most ${FPS_MAX}` })
  defaultFps?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 3650 })
  @IsOptional()
  @IsInt({ message: 'retentionDays must be a whole number of days' })
  @Min(1, { message: 'retentionDays must be at least 1' })
  @Max(3650, { message: 'retentionDays must be at most 3650' })
  retentionDays?: number;
}

/** An exam. */
export class ExamView implements Exam {
  @ApiProperty() id!: string;
  @ApiProperty() name!: string;
  @ApiProperty() startsAtMs!: number;
  @ApiProperty() endsAtMs!: number;
  @ApiProperty() defaultFps!: number;
  @ApiProperty() retentionDays!: number;
  @ApiProperty() createdAtMs!: number;
  @ApiProperty() updatedAtMs!: number;
}

/** Answer of `PUT /api/exams/:examId/fps`. */
export class ExamFpsView {
  @ApiProperty() fps!: number;
  @ApiProperty({ description: 'streams of the exam in the relay' }) streams!: number;
  @ApiProperty({ description: 'of those, with a connected Sentinel (the others get it on reconnect)' }) applied!: number;
}

/** A stream's database record. */
export class StreamRecordView implements ApiStreamRecordView {
  @ApiProperty() streamId!: string;
  @ApiProperty() examId!: string;
  @ApiProperty() seatId!: string;
  @ApiProperty({ enum: ['live', 'disconnected', 'ended'] }) state!: 'live' | 'disconnected' | 'ended';
  @ApiProperty() encoder!: string;
  @ApiProperty() userAgent!: string;
  @ApiProperty() startedAtMs!: number;
  @ApiProperty({ type: Number, nullable: true }) endedAtMs!: number | null;
  @ApiProperty() lastSeenAtMs!: number;
  @ApiProperty({ type: String, nullable: true }) codec!: string | null;
  @ApiProperty() width!: number;
  @ApiProperty() height!: number;
  @ApiProperty() fps!: number;
  @ApiPropertyOptional({ type: [Object], description: 'state, resolution and fps changes (GET /api/streams/:id/history only)' })
  history?: ({ atMs: number; kind: 'state' | 'resolution' | 'fps' } & Record<string, unknown>)[];
}
