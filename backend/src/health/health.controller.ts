import { Controller, Get } from '@nestjs/common';
import { PROTOCOL_VERSION } from '@vigil/protocol';
import { RelayService } from '../relay-nest/relay.service';
import { Access } from '../auth/decorators';

/**
 * Liveness and a one-line picture of the relay: for load balancers and the start script.
 * `status` is `degraded` while any stream's recording writes fail (`storageFailedStreams`
 * > 0: those streams are relayed live and retried, nothing of them is acknowledged); the
 * stream ids are in the stream list for proctors and admins, not here (public route).
 */
@Controller('api/health')
export class HealthController {
  constructor(private readonly relay: RelayService) {}

  @Get()
  @Access('public')
  health(): { status: 'ok' | 'degraded'; protocol: number; streams: number; storageFailedStreams: number; bufferedBytes: number } {
    const streams = this.relay.registry.list();
    const storageFailedStreams = streams.filter((s) => s.storage === 'storage-failed').length;
    return {
      status: storageFailedStreams > 0 ? 'degraded' : 'ok',
      protocol: PROTOCOL_VERSION,
      streams: streams.length,
      storageFailedStreams,
      bufferedBytes: this.relay.registry.budget.usedBytes,
    };
  }
}
