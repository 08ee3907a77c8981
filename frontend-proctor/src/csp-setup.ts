/**
 * Runs before the portal's main bundle (project.json `polyfills`): settings the portal needs
 * to run under the server's Content-Security-Policy (backend `config/security-headers.ts`,
 * no 'unsafe-eval').
 *
 * zod (in @vigil/protocol) probes `new Function('')` when it builds an object schema, to decide
 * whether to compile its parsers; under the CSP the browser reports that probe as a
 * violation (it is caught, and zod falls back). `jitless` skips the probe.
 */
import { config } from 'zod';

config({ jitless: true });
