/**
 * Settings the Sentinel page needs under the server's Content-Security-Policy (backend
 * `config/security-headers.ts`: no 'unsafe-eval'). Imported first by `config.ts`, the
 * entry's first import, so it runs before any other module of the page.
 *
 * zod (in @vigil/protocol) probes `new Function('')` when it builds an object schema, to
 * decide whether to compile its parsers; the probe is caught, but the browser reports it as
 * a CSP violation. `jitless` skips the probe (zod then validates without generated code).
 */
import { config } from 'zod';

config({ jitless: true });
