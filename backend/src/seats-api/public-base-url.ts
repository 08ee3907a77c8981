import type { VigilConfig } from '../config/vigil-config';

/** The parts of an Express request a base URL is made from. */
export interface BaseUrlRequest {
  protocol: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Base of kiosk URLs: `VIGIL_PUBLIC_URL`, else the request's scheme and `Host`. */
export function publicBaseUrl(config: Pick<VigilConfig, 'publicUrl' | 'port'>, req: BaseUrlRequest): string {
  if (config.publicUrl) return config.publicUrl;
  const host = typeof req.headers['host'] === 'string' && /^[A-Za-z0-9.:[\]-]+$/.test(req.headers['host']) ? req.headers['host'] : `127.0.0.1:${config.port}`;
  return `${req.protocol === 'https' ? 'https' : 'http'}://${host}`;
}
