import { Module } from '@nestjs/common';
import { RelayModule } from '../relay-nest/relay.module';
import { AlertsController } from './alerts.controller';
import { AlertsService } from './alerts.service';

/** Alerts: raised from the relay's streams, listed per exam, acknowledged with a note. */
@Module({ imports: [RelayModule], controllers: [AlertsController], providers: [AlertsService], exports: [AlertsService] })
export class AlertsModule {}
