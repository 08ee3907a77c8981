import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsNumber, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import {
  EXAM_APP_EVENT_KINDS,
  EXAM_APP_TEXT_MAX_LENGTH,
  PROCTOR_EVENT_TEXT_MAX_LENGTH,
  type CreateProctorEventBody,
  type ExamAppEventBody,
  type ExamAppEventKind,
  type ExamAppEventResult,
  type ProctorEventKind,
  type StreamEventSource,
  type StreamEventView,
  type StreamEventsView,
} from '@vigil/api';

const TIME_MESSAGE = (name: string) => `${name} must be a time in ms since the Unix epoch (0 to 8.64e15)`;

/** Body of `POST /api/sentinel/events` (an exam application, with the seat token). */
export class ExamAppEventDto implements ExamAppEventBody {
  @ApiProperty({ enum: EXAM_APP_EVENT_KINDS, example: 'left-fullscreen', description: 'what happened; `other`: say what in `text`' })
  @IsIn(EXAM_APP_EVENT_KINDS, { message: `kind must be one of ${EXAM_APP_EVENT_KINDS.join(', ')}` })
  kind!: ExamAppEventKind;

  @ApiPropertyOptional({ maxLength: EXAM_APP_TEXT_MAX_LENGTH, example: 'pasted 312 characters into question 4' })
  @IsOptional()
  @IsString({ message: 'text must be a text' })
  @MaxLength(EXAM_APP_TEXT_MAX_LENGTH, { message: `text must be at most ${EXAM_APP_TEXT_MAX_LENGTH} characters` })
  text?: string;

  @ApiPropertyOptional({ example: 1764844920000, description: "when it happened (the application's clock), ms since the Unix epoch; at most 10 min old; absent = arrival" })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: TIME_MESSAGE('atMs') })
  @Min(0, { message: TIME_MESSAGE('atMs') })
  @Max(8.64e15, { message: TIME_MESSAGE('atMs') })
  atMs?: number;
}

/** Answer of `POST /api/sentinel/events`. */
export class ExamAppEventResultView implements ExamAppEventResult {
  @ApiProperty({ description: 'the stream whose event track got it (the seat\'s live stream, else its latest)' }) streamId!: string;
  @ApiProperty({ description: 'the time it was stored under, ms since the Unix epoch' }) atMs!: number;
}

/** Body of `POST /api/recordings/:streamId/events` (a proctor's flag or note). */
export class ProctorEventDto implements CreateProctorEventBody {
  @ApiProperty({ example: 1764844920000, description: 'the moment of the recording, ms since the Unix epoch (capture clock, as the index\'s startMs)' })
  @IsNumber({ allowNaN: false, allowInfinity: false }, { message: TIME_MESSAGE('atMs') })
  @Min(0, { message: TIME_MESSAGE('atMs') })
  @Max(8.64e15, { message: TIME_MESSAGE('atMs') })
  atMs!: number;

  @ApiProperty({ enum: ['flag', 'note'] })
  @IsIn(['flag', 'note'], { message: 'kind must be "flag" or "note"' })
  kind!: ProctorEventKind;

  @ApiProperty({ maxLength: PROCTOR_EVENT_TEXT_MAX_LENGTH, example: 'looks at a phone below the desk' })
  @IsString({ message: 'text must be a text (it may be empty)' })
  @MaxLength(PROCTOR_EVENT_TEXT_MAX_LENGTH, { message: `text must be at most ${PROCTOR_EVENT_TEXT_MAX_LENGTH} characters` })
  text!: string;
}

/** One event of a stream's event track. */
export class StreamEventViewDto implements StreamEventView {
  @ApiProperty({ description: 'ms since the Unix epoch: capture clock for Sentinel events and flags, server clock for server events' }) atMs!: number;
  @ApiProperty({ enum: ['server', 'sentinel', 'exam-app', 'proctor'] }) source!: StreamEventSource;
  @ApiProperty({ example: 'screen-blank' }) type!: string;
  @ApiProperty({ type: Object, example: { state: 'start', heldMs: 2000, luma: 0 } }) detail!: Record<string, unknown>;
  @ApiPropertyOptional({ description: "a proctor's e-mail (proctor events)" }) by?: string;
  @ApiPropertyOptional({ description: 'when the server stored it, ms since the Unix epoch' }) receivedAtMs?: number;
}

/** `GET /api/recordings/:streamId/events`. */
export class StreamEventsViewDto implements StreamEventsView {
  @ApiProperty() streamId!: string;
  @ApiProperty() fromMs!: number;
  @ApiProperty() toMs!: number;
  @ApiProperty({ type: [StreamEventViewDto] }) events!: StreamEventViewDto[];
  @ApiProperty({ description: 'more than 10,000 events matched: narrow the range' }) truncated!: boolean;
}
