import { DynamicModule, Global, Module } from '@nestjs/common';
import { VIGIL_CONFIG, type VigilConfig } from './vigil-config';

/**
 * The validated configuration ({@link VigilConfig}, read once from the environment by
 * `loadConfig`) under the {@link VIGIL_CONFIG} token. Global: every module reads its settings.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: VigilConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: VIGIL_CONFIG, useValue: config }], exports: [VIGIL_CONFIG] };
  }
}
