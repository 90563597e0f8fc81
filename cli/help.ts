/** The text of `streampulse --help`. */

/** Usage, options, examples and exit codes for `version`. */
export function helpText(version: string): string {
  return `StreamPulse ${version} — stream-health monitor for IP cameras and video streams

Usage:
  streampulse [run] [--config PATH] [--db PATH] [--data-dir DIR]
  streampulse check URL [--json] [--quick] [--kind rtsp|mjpeg|snapshot|hls|http] [--timeout S]
                        [--tls-insecure] [--rtsp-transport auto|tcp|udp] [--freeze-seconds N]
                        [--expect-codec C] [--expect-width W] [--expect-height H] [--expect-fps F]
  streampulse validate [PATH] [--strict]
  streampulse schema                          (prints config.yaml's JSON Schema)
  streampulse healthcheck [--data-dir DIR | --config PATH]
  streampulse passwd [--data-dir DIR]        (reads the new admin password from stdin)
  streampulse config import FILE [--force] [--config PATH]
  streampulse config export [--config PATH]  (prints the fleet's shared config)
  streampulse --version | --help
  (from a checkout: deno task start -- <the same arguments>)

Options:
  --config PATH    config.yaml (default DIR/config.yaml; env STREAMPULSE_CONFIG)
  --db PATH        SQLite database (default DIR/streams.db; env STREAMPULSE_DB)
  --data-dir DIR   folder of config.yaml, streams.db and snapshots (default .; env STREAMPULSE_DATA_DIR)
  LOG_LEVEL=debug|info|warn|error in the environment sets the log level.

check runs the daemon's check once: the handshake, then (rtsp, mjpeg, hls) the media check —
codec, size, fps and the picture (black, frozen). A failed handshake wins over "no video received".
  --quick              the handshake only, no media check
  --json               the whole result; media facts in details.media (credentials masked)
  --timeout S          seconds per step, as timeout_seconds (default 5)
  --tls-insecure       accept self-signed certificates (also --insecure)
  --rtsp-transport T   RTP over auto (TCP, then UDP), tcp or udp, as rtsp_transport
  --expect-codec C, --expect-width W, --expect-height H, --expect-fps F
                       what the picture must be, as expect: (else degraded, exit 3)
  --freeze-seconds N   frozen needs time: when the first sample is still, take a second one
                       N s later and call it frozen if still for longer than N s. Without it,
                       one window is judged: a picture that does not change at all within it
                       is "picture frozen (still within the window)".

validate loads a config.yaml exactly as the running process does and lists every problem with
its YAML path (and the stream's name). Unknown keys are warnings with a suggestion
(\`streams[2] ("Gate").frezee_seconds: unknown key — did you mean "freeze_seconds"?\`): exit 0
with the warnings printed; --strict exits 2 on any warning.

config import and export move the fleet's shared config (fleet mode: \`database:\` in the
node's config.yaml, which names the database). import stores FILE without its node-local keys
(database, node, api, web: each node keeps its own) once FILE loads with this node's keys; it
refuses to replace a shared config the database already holds unless --force is given. Every
node applies an import within a second. export prints the shared config as stored.

Examples:
  streampulse --data-dir /host                  # the Python release's /host/config.yaml + streams.db
  streampulse check rtsp://user:pw@192.168.1.20/stream1
  streampulse check http://cam/video.mjpg --json
  streampulse check rtsp://cam/stream1 --freeze-seconds 30 --expect-width 1920
  streampulse validate /host/config.yaml --strict
  streampulse schema > config.schema.json
  echo 'new password' | streampulse passwd --data-dir /host
  streampulse config import fleet.yaml --config /etc/streampulse/config.yaml
  streampulse config export > fleet.yaml

Exit codes: 0 ok / up, 1 down / unhealthy / failure, 2 bad input, 3 degraded (check: wrong,
black or frozen picture, or a picture that could not be verified).
`;
}
