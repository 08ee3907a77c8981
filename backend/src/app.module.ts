import { DynamicModule, Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import path from 'node:path';
import type { VigilConfig } from './config/vigil-config';
import { portalAssetCacheControl } from './config/security-headers';
import { ConfigModule } from './config/config.module';
import { RecordingModule } from './recording/recording.module';
import { RelayModule } from './relay-nest/relay.module';
import { RecordingsApiModule } from './recordings-api/recordings-api.module';
import { StreamsApiModule } from './streams-api/streams-api.module';
import { GatewaysModule } from './gateways/gateways.module';
import { HealthModule } from './health/health.module';
import { DbModule } from './db/db.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { StreamRecordsModule } from './stream-records/stream-records.module';
import { UsersModule } from './users-api/users.module';
import { ExamsModule } from './exams-api/exams.module';
import { SeatsModule } from './seats-api/seats.module';
import { ApiKeysModule } from './api-keys-api/api-keys.module';
import { StatsModule } from './stats/stats.module';
import { AlertsModule } from './alerts/alerts.module';
import { StreamEventsModule } from './stream-events/stream-events.module';
import { MetricsModule } from './metrics/metrics.module';
import { jsonLoggerModule, type LogDestination } from './common/json-logging';

/**
 * The whole server, one module per feature folder: configuration, database, audit,
 * authentication, recordings, the relay core, the control and history APIs, the WebSocket
 * gateways, health, and the built pages (`/sentinel/` = Sentinel, `/` = Proctor portal).
 */
@Module({})
export class AppModule {
  /** @param logging with `VIGIL_LOG_FORMAT=json`: level (quiet = errors only) and destination of the JSON logs */
  static forRoot(config: VigilConfig, logging: { quiet?: boolean; destination?: LogDestination } = {}): DynamicModule {
    const webDir = path.resolve(config.webDir);
    return {
      module: AppModule,
      imports: [
        ...(config.logFormat === 'json' ? [jsonLoggerModule(logging)] : []),
        ConfigModule.forRoot(config),
        DbModule.forRoot(),
        AuditModule,
        AuthModule,
        StreamRecordsModule,
        UsersModule,
        ExamsModule,
        SeatsModule,
        ApiKeysModule,
        RecordingModule,
        RelayModule,
        RecordingsApiModule,
        StreamsApiModule,
        GatewaysModule,
        HealthModule,
        StatsModule,
        StreamEventsModule,
        AlertsModule,
        MetricsModule,
        ServeStaticModule.forRoot(
          {
            rootPath: path.join(webDir, 'frontend-sentinel'),
            serveRoot: '/sentinel',
            // the kiosk URL carries the seat token: never hand it on as a Referer
            serveStaticOptions: { fallthrough: false, setHeaders: (res) => res.setHeader('Referrer-Policy', 'no-referrer') },
          },
          {
            rootPath: path.join(webDir, 'frontend-proctor', 'browser'),
            exclude: ['/api/{*rest}', '/ws/{*rest}', '/sentinel/{*rest}', '/metrics'],
            // content-hashed chunks: kept by the browser, so reopening the portal asks only for index.html
            serveStaticOptions: {
              setHeaders: (res, filePath) => {
                const cacheControl = portalAssetCacheControl(filePath);
                if (cacheControl) res.setHeader('Cache-Control', cacheControl);
              },
            },
          },
        ),
      ],
    };
  }
}
