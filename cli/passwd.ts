/** `streampulse passwd`: sets the dashboard's admin password (reads it from stdin). */

/** Placeholder until the dashboard's auth lands; returns the exit code. */
export function passwdCommand(_paths: { db: string }): Promise<number> {
  console.error("streampulse passwd: the dashboard is not part of this build yet");
  return Promise.resolve(1);
}
