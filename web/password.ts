/** Slow salted password hashes (PBKDF2-SHA256 via node:crypto) and timing-safe comparison. */

import { createHash, pbkdf2, randomBytes, timingSafeEqual } from "node:crypto";
import { Buffer } from "node:buffer";

/** The OWASP 2023 minimum for PBKDF2-HMAC-SHA256; tests may pass fewer to run fast. */
export const DEFAULT_ITERATIONS = 600_000;

const PREFIX = "pbkdf2-sha256";

function derive(password: string, salt: Buffer, iterations: number): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    pbkdf2(password, salt, iterations, 32, "sha256", (err, key) => err ? reject(err) : resolve(key))
  );
}

/** Hashes a password as `pbkdf2-sha256$<iterations>$<salt b64>$<hash b64>` (16-byte salt). */
export async function hashPassword(
  password: string,
  iterations: number = DEFAULT_ITERATIONS,
): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, iterations);
  return `${PREFIX}$${iterations}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/** True when `password` matches a hash made by {@link hashPassword}; false for malformed hashes. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [prefix, iter, saltB64, hashB64] = stored.split("$");
  const iterations = Number(iter);
  if (prefix !== PREFIX || !Number.isInteger(iterations) || iterations < 1 || !hashB64) {
    return false;
  }
  const expected = Buffer.from(hashB64, "base64");
  const actual = await derive(password, Buffer.from(saltB64, "base64"), iterations);
  return expected.length === actual.length && timingSafeEqual(expected, actual);
}

/** Compares two strings in time independent of where they differ (lengths are hashed first). */
export function safeEqual(a: string, b: string): boolean {
  const ha = createHash("sha256").update(a).digest();
  const hb = createHash("sha256").update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

/** SHA-256 hex of a string (for tokens kept at rest). */
export function sha256Hex(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** A random URL-safe token of `bytes` random bytes. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}
