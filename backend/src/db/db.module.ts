import { DynamicModule, Global, Module } from '@nestjs/common';
import { DatabaseService } from './database.service';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';

/**
 * The database for every feature module: opened and migrated while Nest builds the
 * application, so nothing runs against an old schema.
 */
@Global()
@Module({})
export class DbModule {
  static forRoot(): DynamicModule {
    return {
      module: DbModule,
      providers: [
        {
          provide: DatabaseService,
          inject: [VIGIL_CONFIG],
          useFactory: (config: VigilConfig) => DatabaseService.open({ databaseUrl: config.databaseUrl, dataDir: config.dataDir }),
        },
      ],
      exports: [DatabaseService],
    };
  }
}
