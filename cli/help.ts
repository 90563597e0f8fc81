/** The text of `streampulse --help`. */

/** Usage, options, examples and exit codes for `version`. */
export function helpText(version: string): string {
  return `StreamPulse ${version} — stream-health monitor for IP cameras and video streams

Usage:
  streampulse [run] [--config PATH] [--db PATH] [--data-dir DIR]
  streampulse check URL [--json] [--kind rtsp|mjpeg|snapshot|hls|http] [--timeout S] [--insecure]
  streampulse validate [PATH]
  streampulse healthcheck [--data-dir DIR | --config PATH]
  streampulse passwd [--data-dir DIR]        (reads the new admin password from stdin)
  streampulse --version | --help
  (from a checkout: deno task start -- <the same arguments>)

Options:
  --config PATH    config.yaml (default DIR/config.yaml; env STREAMPULSE_CONFIG)
  --db PATH        SQLite database (default DIR/streams.db; env STREAMPULSE_DB)
  --data-dir DIR   folder of config.yaml, streams.db and snapshots (default .; env STREAMPULSE_DATA_DIR)
  LOG_LEVEL=debug|info|warn|error in the environment sets the log level.

Examples:
  streampulse --data-dir /host                  # the Python release's /host/config.yaml + streams.db
  streampulse check rtsp://user:pw@192.168.1.20/stream1
  streampulse check http://cam/video.mjpg --json
  streampulse validate /host/config.yaml
  echo 'new password' | streampulse passwd --data-dir /host

Exit codes: 0 ok / up, 1 down / unhealthy / failure, 2 bad input.
`;
}
