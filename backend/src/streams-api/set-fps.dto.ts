import { ApiProperty } from '@nestjs/swagger';
import { IsNumber, Max, Min } from 'class-validator';
import { FPS_MAX, FPS_MIN } from '@vigil/protocol';

/** Body of `PUT /api/streams/:streamId/fps` and `PUT /api/exams/:examId/fps`. */
export class SetFpsDto {
  /** Frames per second, 0.2..5. */
  @ApiProperty({ minimum: FPS_MIN, maximum: FPS_MAX, example: 2 })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: 'fps must be a number of frames per second' })
  @Min(FPS_MIN, { message: `fps must be at least ${FPS_MIN}` })
  @Max(FPS_MAX, { message: `fps must be at most ${FPS_MAX}` })
  fps!: number;
}
