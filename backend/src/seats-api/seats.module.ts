import { Module } from '@nestjs/common';
import { RelayModule } from '../relay-nest/relay.module';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { SeatsController } from './seats.controller';
import { SeatsService } from './seats.service';
import { SERVER_SECRET, SeatTokenService } from './seat-token.service';
import { loadServerSecret } from './server-secret';

/** Seats, seat tokens and the Sentinel authorizer ({@link SeatTokenService.authorize}). */
@Module({
  imports: [RelayModule],
  controllers: [SeatsController],
  providers: [
    SeatsService,
    SeatTokenService,
    { provide: SERVER_SECRET, inject: [VIGIL_CONFIG], useFactory: (config: VigilConfig) => loadServerSecret(config) },
  ],
  exports: [SeatTokenService],
})
export class SeatsModule {}
