import { randomToken } from './secrets';

/** Admin API keys: `vgk_` and 43 base64url characters (256 random bits). */
export const API_KEY_PATTERN = /^vgk_[A-Za-z0-9_-]{43}$/;

/** Characters of a key shown in lists to recognise it (`vgk_` + 8). */
export const API_KEY_PREFIX_LENGTH = 12;

/** A new random API key. */
export function generateApiKey(): string {
  return `vgk_${randomToken()}`;
}
