import { Module } from '@nestjs/common';
import { RecordingModule } from '../recording/recording.module';
import { RelayModule } from '../relay-nest/relay.module';
import { ExamRecordingsController, RecordingsController, SharedRecordingsController } from './recordings.controller';
import { RecordingShareService } from './recording-share.service';

/** History over HTTP: time-range index, files, HLS playlists, MP4 export, share links, deletion routes. */
@Module({
  imports: [RecordingModule, RelayModule],
  controllers: [RecordingsController, ExamRecordingsController, SharedRecordingsController],
  providers: [RecordingShareService],
})
export class RecordingsApiModule {}
