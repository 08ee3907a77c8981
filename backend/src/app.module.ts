import { DynamicModule, Module } from '@nestjs/common';
import { ServeStaticModule } from '@nestjs/serve-static';
import path from 'node:path';
import { VIGIL_CONFIG, type VigilConfig } from './config/vigil-config';
import { RelayService } from './relay-nest/relay.service';
import { RecordingService } from './recordings-api/recording.service';
import { RecordingsController } from './recordings-api/recordings.controller';
import { StreamsController } from './streams-api/streams.controller';
import { SentinelGateway } from './gateways/sentinel.gateway';
import { ProctorGateway } from './gateways/proctor.gateway';
import { HealthController } from './health/health.controller';

/**
 * The whole server: relay core, recordings, REST API, WebSocket gateways and the
 * built pages (`/sentinel/` = Sentinel, `/` = Proctor portal).
 */
@Module({})
export class AppModule {
  static forRoot(config: VigilConfig): DynamicModule {
    const webDir = path.resolve(config.webDir);
    return {
      module: AppModule,
      imports: [
        ServeStaticModule.forRoot(
          { rootPath: path.join(webDir, 'frontend-sentinel'), serveRoot: '/sentinel', serveStaticOptions: { fallthrough: false } },
          { rootPath: path.join(webDir, 'frontend-proctor', 'browser'), exclude: ['/api/{*rest}', '/ws/{*rest}', '/sentinel/{*rest}'] },
        ),
      ],
      controllers: [StreamsController, RecordingsController, HealthController],
      providers: [{ provide: VIGIL_CONFIG, useValue: config }, RelayService, RecordingService, SentinelGateway, ProctorGateway],
    };
  }
}
