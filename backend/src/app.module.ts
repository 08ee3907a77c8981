import { DynamicModule, Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import path from 'node:path';
import type { VigilConfig } from './config/vigil-config';
import { RelayModule } from './relay-nest/relay.module';
import { RetentionService } from './recordings-api/retention.service';
import { ExamRecordingsController, RecordingsController, SharedRecordingsController } from './recordings-api/recordings.controller';
import { RecordingShareService } from './recordings-api/recording-share.service';
import { RecordingDeletionService } from './recordings-api/recording-deletion.service';
import { StreamsController } from './streams-api/streams.controller';
import { SentinelGateway } from './gateways/sentinel.gateway';
import { ProctorGateway } from './gateways/proctor.gateway';
import { HealthController } from './health/health.controller';
import { DbModule } from './db/db.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { StreamRecordsModule } from './stream-records/stream-records.module';
import { UsersModule } from './users-api/users.module';
import { ExamsModule } from './exams-api/exams.module';
import { SeatsModule } from './seats-api/seats.module';
import { ApiKeysModule } from './api-keys-api/api-keys.module';

/**
 * The whole server: relay core, recordings, database, authentication, the control API,
 * WebSocket gateways and the built pages (`/sentinel/` = Sentinel, `/` = Proctor portal).
 */
@Module({})
export class AppModule {
  static forRoot(config: VigilConfig): DynamicModule {
    const webDir = path.resolve(config.webDir);
    return {
      module: AppModule,
      imports: [
        RelayModule.forRoot(config),
        DbModule.forRoot(),
        AuditModule,
        AuthModule,
        StreamRecordsModule,
        UsersModule,
        ExamsModule,
        SeatsModule,
        ApiKeysModule,
        ServeStaticModule.forRoot(
          {
            rootPath: path.join(webDir, 'frontend-sentinel'),
            serveRoot: '/sentinel',
            // the kiosk URL carries the seat token: never hand it on as a Referer
            serveStaticOptions: { fallthrough: false, setHeaders: (res) => res.setHeader('Referrer-Policy', 'no-referrer') },
          },
          { rootPath: path.join(webDir, 'frontend-proctor', 'browser'), exclude: ['/api/{*rest}', '/ws/{*rest}', '/sentinel/{*rest}'] },
        ),
      ],
      controllers: [StreamsController, RecordingsController, ExamRecordingsController, SharedRecordingsController, HealthController],
      providers: [SentinelGateway, ProctorGateway, RetentionService, RecordingDeletionService, RecordingShareService],
    };
  }
}
