import { Module } from '@nestjs/common';
import { RecordingService } from './recording.service';
import { RecordingDeletionService } from './recording-deletion.service';
import { RetentionService } from './retention.service';

/**
 * The recordings on disk: the store (segment files, `index.jsonl`, crash repair at start-up),
 * the writers the relay records through, deletion with a record, and retention. The relay,
 * the gateways and the history API depend on this module; it depends on none of them.
 */
@Module({
  providers: [RecordingService, RecordingDeletionService, RetentionService],
  exports: [RecordingService, RecordingDeletionService],
})
export class RecordingModule {}
