import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { SHARE_MAX_MINUTES } from './recording-share.service';

/** Body of `POST /api/recordings/:streamId/share`. */
export class ShareRecordingDto {
  /** Start of the shared range, ms since the Unix epoch. */
  @ApiProperty({ example: 1764844920000 })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'fromMs must be a time in ms since the Unix epoch' })
  @Min(0, { message: 'fromMs must be a time in ms since the Unix epoch' })
  fromMs!: number;

  /** End of the shared range, ms since the Unix epoch (>= fromMs). */
  @ApiProperty({ example: 1764845220000 })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'toMs must be a time in ms since the Unix epoch' })
  @Min(0, { message: 'toMs must be a time in ms since the Unix epoch' })
  toMs!: number;

  /** How long the link works, minutes (default 60, at most 7 days). */
  @ApiProperty({ required: false, minimum: 1, maximum: SHARE_MAX_MINUTES, default: 60 })
  @IsOptional()
  @IsInt({ message: 'minutes must be a whole number' })
  @Min(1, { message: 'minutes must be at least 1' })
  @Max(SHARE_MAX_MINUTES, { message: `minutes must be at most ${SHARE_MAX_MINUTES} (7 days)` })
  minutes?: number;
}
