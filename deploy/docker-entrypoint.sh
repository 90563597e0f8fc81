#!/bin/sh
# Container entry: a /host folder from the Python release is usually owned by root; hand it to the
# unprivileged streampulse user once, then drop root for good (the monitor never runs as root).
set -eu
if [ "$(id -u)" = "0" ]; then
  if [ -d /host ] && [ "$(stat -c %u /host)" != "10001" ]; then
    chown -R 10001:10001 /host
  fi
  exec setpriv --reuid=10001 --regid=10001 --clear-groups --inh-caps=-all --no-new-privs \
    /usr/local/bin/streampulse "$@"
fi
exec /usr/local/bin/streampulse "$@"
