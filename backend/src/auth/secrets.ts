import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { hash as argon2Hash, verify as argon2Verify } from '@node-rs/argon2';

/**
 * Password and key material helpers. Passwords: argon2id (OWASP parameters: 19 MiB,
 * 2 passes, 1 lane; the library's defaults). Session cookies and API keys are 256-bit
 * random values, so a single SHA-256 is enough to store them: nothing to brute-force.
 */

/** Shortest password a user may choose. */
export const PASSWORD_MIN_LENGTH = 12;
/** Longest password accepted (argon2 input stays bounded). */
export const PASSWORD_MAX_LENGTH = 256;

/** argon2id PHC string of a password. */
export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password);
}

/** True when `password` matches the stored argon2 hash; false for a malformed hash. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2Verify(hash, password);
  } catch {
    return false;
  }
}

/** A hash that matches no password: verified against when the e-mail is unknown, so timing does not tell. */
export const DUMMY_PASSWORD_HASH = '$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$H802ZnZrjYe9qkX4jQfBWTQtJnmj6Noz+sJrSQ8gzOM';

const OTP_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** A one-time password: 20 characters without look-alikes (about 116 bits). */
export function generateOneTimePassword(): string {
  let out = '';
  for (let i = 0; i < 20; i++) out += OTP_ALPHABET[randomInt(OTP_ALPHABET.length)];
  return out;
}

/** 32 random bytes, base64url (43 characters). */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** SHA-256, hex: how session cookies and API keys are stored. */
export function sha256Hex(value: string): string {
  return createHash('sha256').update(value).digest('hex');
}

/** Constant-time string comparison (false for different lengths). */
export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
