import { Module } from '@nestjs/common';
import { RecordingModule } from '../recording/recording.module';
import { RelayModule } from '../relay-nest/relay.module';
import { SeatsModule } from '../seats-api/seats.module';
import { StreamEventsController } from './stream-events.controller';
import { StreamEventsService } from './stream-events.service';

/** The event track of streams: Sentinel events, an exam application's events, proctors' flags and notes. */
@Module({
  imports: [RelayModule, RecordingModule, SeatsModule],
  controllers: [StreamEventsController],
  providers: [StreamEventsService],
  exports: [StreamEventsService],
})
export class StreamEventsModule {}
