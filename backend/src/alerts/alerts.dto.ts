import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { ALERT_KINDS, type AlertKind, type AlertView as ApiAlertView } from '@vigil/api';

/** Body of `POST /api/alerts/:alertId/ack`. */
export class AcknowledgeAlertDto {
  /** What the proctor did or found (kept with the alert and in the audit log). */
  @ApiProperty({ maxLength: 500, example: 'walked over: the laptop had gone to sleep, student back online' })
  @IsString({ message: 'note must be a text (it may be empty)' })
  @MaxLength(500, { message: 'note must be at most 500 characters' })
  note!: string;
}

/** An alert as the API shows it. */
export class AlertView implements ApiAlertView {
  @ApiProperty() id!: number;
  @ApiProperty({ enum: ALERT_KINDS }) kind!: AlertKind;
  @ApiProperty() streamId!: string;
  @ApiProperty() examId!: string;
  @ApiProperty() seatId!: string;
  @ApiProperty() detail!: string;
  @ApiProperty() raisedAtMs!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'when the condition ended; null while it holds' }) clearedAtMs!: number | null;
  @ApiPropertyOptional({ type: Object, nullable: true, description: '{ by, atMs, note } once a proctor acknowledged it' })
  ack!: { by: string; atMs: number; note: string } | null;
}
