/** Removes credentials from URLs and free text before they reach logs, the API or MQTT. */

/** Matches `scheme://user[:password]@` inside any text. */
const USERINFO_IN_TEXT = /([a-z][a-z0-9+.-]*:\/\/)[^\s/@]*@/gi;

/**
 * Masks the user-info part of a URL: `rtsp://admin:pw@cam/live` → `rtsp://***@cam/live`.
 * Works on strings that are not valid URLs too, so nothing slips through on a parse error.
 */
export function maskUrl(url: string): string {
  return url.replace(USERINFO_IN_TEXT, "$1***@");
}

/**
 * Masks URL credentials and every given secret (passwords from config) inside free text,
 * such as an error message that quotes the URL it failed on.
 */
export function redactText(text: string, secrets: Iterable<string> = []): string {
  let out = maskUrl(text);
  for (const secret of secrets) {
    if (secret && secret.length >= 3) out = out.split(secret).join("***");
  }
  return out;
}

/** The password of a stream URL, decoded and raw, for scrubbing messages that might quote it. */
export function urlSecrets(url: string): string[] {
  try {
    const u = new URL(url);
    return [decodeURIComponent(u.password), u.password].filter((x) => x.length >= 3);
  } catch {
    return [];
  }
}
