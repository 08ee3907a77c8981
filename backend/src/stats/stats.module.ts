import { Module } from '@nestjs/common';
import { RelayModule } from '../relay-nest/relay.module';
import { StatsController } from './stats.controller';
import { StatsService } from './stats.service';

/** Live statistics over REST: `GET /api/streams/:streamId/stats`, `GET /api/exams/:examId/stats`. */
@Module({ imports: [RelayModule], controllers: [StatsController], providers: [StatsService] })
export class StatsModule {}
