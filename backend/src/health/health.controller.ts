import { Controller, Get } from '@nestjs/common';
import { PROTOCOL_VERSION } from '@vigil/protocol';
import { RelayService } from '../relay-nest/relay.service';
import { Access } from '../auth/decorators';

/** Liveness and a one-line picture of the relay: for load balancers and the start script. */
@Controller('api/health')
export class HealthController {
  constructor(private readonly relay: RelayService) {}

  @Get()
  @Access('public')
  health(): { status: 'ok'; protocol: number; streams: number; bufferedBytes: number } {
    return {
      status: 'ok',
      protocol: PROTOCOL_VERSION,
      streams: this.relay.registry.list().length,
      bufferedBytes: this.relay.registry.budget.usedBytes,
    };
  }
}
