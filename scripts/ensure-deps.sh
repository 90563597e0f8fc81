#!/bin/sh
# Makes sure what the tests need is on this machine: installs it when running as root on
# Debian, otherwise prints exactly what is missing and fails. Fast when everything is there.
set -eu

APT_PACKAGES="ca-certificates openssl ffmpeg mosquitto mosquitto-clients chromium fonts-liberation \
python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good \
gstreamer1.0-plugins-ugly vlc-bin vlc-plugin-base prometheus python3-aiosmtpd shellcheck postgresql"

missing=""
check() { # check NAME COMMAND...
  name=$1; shift
  if ! "$@" >/dev/null 2>&1; then missing="$missing $name"; fi
}
check ffmpeg command -v ffmpeg
check ffprobe command -v ffprobe
check openssl command -v openssl
check mosquitto sh -c 'command -v mosquitto || test -x /usr/sbin/mosquitto'
check mosquitto_sub command -v mosquitto_sub
check chromium test -x /usr/bin/chromium
check gst-rtsp-server /usr/bin/python3 -c "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"
check x264enc sh -c 'gst-inspect-1.0 x264enc 2>/dev/null || /usr/bin/python3 -c "import gi; gi.require_version(\"Gst\", \"1.0\"); from gi.repository import Gst; Gst.init(None); assert Gst.ElementFactory.find(\"x264enc\")"'
check vlc command -v cvlc
check promtool command -v promtool
check aiosmtpd /usr/bin/python3 -c "import aiosmtpd"
check shellcheck command -v shellcheck
check postgresql test -x /usr/lib/postgresql/15/bin/initdb

if [ -z "$missing" ]; then exit 0; fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-deps: missing:$missing — installing Debian packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -qq --no-install-recommends $APT_PACKAGES >/dev/null
  exit 0
fi

echo "ensure-deps: the tests need:$missing" >&2
echo "Install them as root with:" >&2
echo "  apt-get install -y --no-install-recommends $APT_PACKAGES" >&2
exit 1
