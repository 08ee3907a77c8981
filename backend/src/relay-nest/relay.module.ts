import { DynamicModule, Global, Module } from '@nestjs/common';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { RelayService } from './relay.service';
import { RecordingService } from '../recordings-api/recording.service';

/**
 * The configuration, the relay core and the recordings folder, for every module
 * (feature modules read live state and control streams through {@link RelayService}).
 */
@Global()
@Module({})
export class RelayModule {
  static forRoot(config: VigilConfig): DynamicModule {
    return {
      module: RelayModule,
      providers: [{ provide: VIGIL_CONFIG, useValue: config }, RelayService, RecordingService],
      exports: [VIGIL_CONFIG, RelayService, RecordingService],
    };
  }
}
