import { Controller, ForbiddenException, Get, Inject, NotFoundException, Req, Res, UnauthorizedException } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { IncomingHttpHeaders } from 'node:http';
import { Access } from '../auth/decorators';
import { VIGIL_CONFIG, type VigilConfig } from '../config/vigil-config';
import { isProxied, metricsAccess } from './metrics-access';
import { MetricsService } from './metrics.service';

interface MetricsReq {
  method: string;
  headers: IncomingHttpHeaders;
  socket: { remoteAddress?: string };
}
interface MetricsRes {
  setHeader(name: string, value: string): void;
}

/**
 * `GET /metrics` for Prometheus. Not a control-API route (outside `/api`, not in OpenAPI), so
 * the session guard lets it through (`@Access('public')`) and it checks its own credential:
 * see {@link metricsAccess}. Off (404) unless `VIGIL_METRICS_TOKEN` or `VIGIL_METRICS_LOOPBACK`
 * is set.
 */
@ApiExcludeController()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsService,
    @Inject(VIGIL_CONFIG) private readonly config: VigilConfig,
  ) {}

  @Get()
  @Access('public')
  async scrape(@Req() req: MetricsReq, @Res({ passthrough: true }) res: MetricsRes): Promise<string> {
    const authorization = req.headers.authorization;
    const verdict = metricsAccess(this.config, { authorization, remoteAddress: req.socket.remoteAddress, proxied: isProxied(req.headers) });
    if (verdict === 'off') throw new NotFoundException(`Cannot ${req.method} /metrics`);
    if (verdict === 'unauthorized') {
      res.setHeader('WWW-Authenticate', 'Bearer realm="vigil-metrics"');
      throw new UnauthorizedException(
        this.config.metricsLoopback
          ? 'send Authorization: Bearer <VIGIL_METRICS_TOKEN> (without it, /metrics is served to loopback clients that are not proxied only)'
          : 'send Authorization: Bearer <VIGIL_METRICS_TOKEN>',
      );
    }
    if (verdict === 'forbidden') {
      throw new ForbiddenException('/metrics is served to loopback clients (not through a proxy) only: VIGIL_METRICS_LOOPBACK; set VIGIL_METRICS_TOKEN for a remote scraper');
    }
    res.setHeader('Content-Type', this.metrics.contentType);
    res.setHeader('Cache-Control', 'no-store');
    return this.metrics.metrics();
  }
}
