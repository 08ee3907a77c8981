/**
 * `@vigil/protocol`: the Vigil wire protocol, defined once for the Sentinel,
 * the server and the Proctor portal. Binary media messages (16-byte header +
 * fMP4 bytes), JSON control messages validated with zod, error codes and
 * limits. Pure TypeScript: no DOM, no Node APIs. See README.md.
 */
export * from './constants';
export * from './errors';
export * from './close';
export * from './media';
export * from './control';
export { utf8ByteLength, truncateUtf8 } from './utf8';
