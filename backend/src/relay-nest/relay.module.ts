import { Module } from '@nestjs/common';
import { RecordingModule } from '../recording/recording.module';
import { RelayService } from './relay.service';

/**
 * The relay core for Nest: the process-wide stream registry ({@link RelayService}), recording
 * every stream through {@link RecordingModule}. Feature modules that read live state or
 * control streams import this module.
 */
@Module({
  imports: [RecordingModule],
  providers: [RelayService],
  exports: [RelayService],
})
export class RelayModule {}
