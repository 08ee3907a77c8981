import { Module } from '@nestjs/common';
import { RelayModule } from '../relay-nest/relay.module';
import { StreamEventsModule } from '../stream-events/stream-events.module';
import { IncidentsController } from './incidents.controller';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';

/** Alerts: raised from the relay's streams and what their Sentinels report, listed per exam, acknowledged with a note; the incidents export. */
@Module({ imports: [RelayModule, StreamEventsModule], controllers: [AlertsController, IncidentsController], providers: [AlertsService], exports: [AlertsService] })
export class AlertsModule {}
