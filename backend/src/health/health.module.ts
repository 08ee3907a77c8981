import { Module } from '@nestjs/common';
import { RelayModule } from '../relay-nest/relay.module';
import { HealthController } from './health.controller';

/** `GET /api/health`: liveness, streams, storage state. */
@Module({ imports: [RelayModule], controllers: [HealthController] })
export class HealthModule {}
