import { Module } from '@nestjs/common';
import { RecordingModule } from '../recording/recording.module';
import { RelayModule } from '../relay-nest/relay.module';
import { SeatsModule } from '../seats-api/seats.module';
import { StreamEventsModule } from '../stream-events/stream-events.module';
import { ProctorGateway } from './proctor.gateway';
import { SentinelGateway } from './sentinel.gateway';

/** The WebSocket endpoints: `/ws/sentinel` (seat tokens) and `/ws/proctor` (sessions). */
@Module({ imports: [RelayModule, RecordingModule, SeatsModule, StreamEventsModule], providers: [SentinelGateway, ProctorGateway] })
export class GatewaysModule {}
