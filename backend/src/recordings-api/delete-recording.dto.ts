import { ApiProperty } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';

/** Body of `DELETE /api/recordings/:streamId` and `DELETE /api/exams/:examId/recordings`. */
export class DeleteRecordingDto {
  /** Why the recording is deleted: kept in the deletion record (audit log) and answered with 410 Gone. */
  @ApiProperty({ minLength: 3, maxLength: 500, example: 'data subject request 2026-118, approved by the exam board' })
  @IsString({ message: 'reason must be a text saying why the recording is deleted' })
  @MinLength(3, { message: 'reason must be at least 3 characters: say why the recording is deleted' })
  @MaxLength(500, { message: 'reason must be at most 500 characters' })
  reason!: string;
}
