import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { STUDENT_ID_PATTERN } from '@vigil/api';
import type { CreatedSeat, ImportResult, KioskUrl, Seat } from '@vigil/api';

/** Body of `POST /api/exams/:examId/seats`. */
export class CreateSeatDto {
  @ApiProperty({ example: 's1234567', maxLength: 128 })
  @IsString({ message: 'studentId must be a string' })
  @Length(1, 128, { message: 'studentId must be 1 to 128 characters' })
  @Matches(STUDENT_ID_PATTERN, { message: 'studentId must not contain control characters' })
  studentId!: string;

  @ApiProperty({ example: 'Ada Lovelace', maxLength: 200 })
  @IsString({ message: 'displayName must be a string' })
  @Length(1, 200, { message: 'displayName must be 1 to 200 characters' })
  displayName!: string;
}

/** Body of `PATCH /api/exams/:examId/seats/:seatId`. */
export class UpdateSeatDto {
  @ApiPropertyOptional({ maxLength: 128 })
  @IsOptional()
  @IsString({ message: 'studentId must be a string' })
  @Length(1, 128, { message: 'studentId must be 1 to 128 characters' })
  @Matches(STUDENT_ID_PATTERN, { message: 'studentId must not contain control characters' })
  studentId?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString({ message: 'displayName must be a string' })
  @Length(1, 200, { message: 'displayName must be 1 to 200 characters' })
  displayName?: string;
}

/** A seat with its live status. */
export class SeatView implements Seat {
  @ApiProperty() id!: string;
  @ApiProperty() examId!: string;
  @ApiProperty() studentId!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty() createdAtMs!: number;
  @ApiProperty() updatedAtMs!: number;
  @ApiProperty({ enum: ['streaming', 'offline', 'never-connected'], description: 'streaming = a stream with a connected Sentinel' })
  status!: 'streaming' | 'offline' | 'never-connected';
  @ApiProperty({ type: Number, nullable: true, description: 'last fragment or connection of any stream of the seat' })
  lastSeenAtMs!: number | null;
  @ApiProperty({ type: String, nullable: true, description: "the seat's stream in the relay now (live or disconnected)" })
  liveStreamId!: string | null;
}

/** A seat's kiosk URL and token. */
export class KioskUrlView implements KioskUrl {
  @ApiProperty() seatId!: string;
  @ApiProperty() examId!: string;
  @ApiProperty({ example: 'https://proctor.example.org/sentinel/?exam=…&seat=…#token=v1.…', description: 'the seat token rides in the fragment (#token=…): browsers never send it to a server' }) kioskUrl!: string;
  @ApiProperty() token!: string;
  @ApiProperty({ description: 'the exam window end (moves with it)' }) expiresAtMs!: number;
}

/** Answer of `POST /api/exams/:examId/seats`. */
export class CreatedSeatView extends SeatView implements CreatedSeat {
  @ApiProperty() kioskUrl!: string;
  @ApiProperty() token!: string;
}

/** Answer of the CSV import. */
export class ImportResultView implements ImportResult {
  @ApiProperty() created!: number;
  @ApiProperty() updated!: number;
  @ApiProperty() unchanged!: number;
  @ApiProperty() total!: number;
}
