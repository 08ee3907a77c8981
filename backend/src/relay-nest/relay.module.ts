import { Module } from '@nestjs/common';
import { RecordingModule } from '../recording/recording.module';
import { RelayService } from './relay.service';
import { LoadSheddingService } from './load-shedding.service';

/**
 * The relay core for Nest: the process-wide stream registry ({@link RelayService}), recording
 * every stream through {@link RecordingModule}, and load shedding ({@link LoadSheddingService}). Feature modules that read live state or
 * control streams import this module.
 */
@Module({
  imports: [RecordingModule],
  providers: [RelayService, LoadSheddingService],
  exports: [RelayService, LoadSheddingService],
})
export class RelayModule {}
