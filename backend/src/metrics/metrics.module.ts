import { Module } from '@nestjs/common';
import { RelayModule } from '../relay-nest/relay.module';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

/** `GET /metrics`: Prometheus metrics of the relay and the process (off unless configured). */
@Module({ imports: [RelayModule], controllers: [MetricsController], providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}
