import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * Contact numbers at rest (003 §25; docs/security.md): AES-256-GCM under the
 * key from the hub's key file, a fresh 96-bit IV each time, stored as
 * `v1.<iv>.<ciphertext+tag>` in base64url. The database alone cannot reveal a number.
 */
export function encryptContact(plain: string, keyBase64: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(keyBase64, 'base64'), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

/** Throws if the value was altered or the key is not the one it was sealed with. */
export function decryptContact(sealed: string, keyBase64: string): string {
  const [version, iv, body] = sealed.split('.');
  if (version !== 'v1' || !iv || !body) throw new Error('not a sealed contact number');
  const bytes = Buffer.from(body, 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', Buffer.from(keyBase64, 'base64'), Buffer.from(iv, 'base64url'));
  decipher.setAuthTag(bytes.subarray(bytes.length - 16));
  return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString('utf8');
}
