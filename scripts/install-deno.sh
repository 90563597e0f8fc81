#!/bin/sh
# Installs Deno 2.9.6 from the npm registry into ~/.local/deno-npm (JSR and GitHub downloads are
# not reachable from our machines; npm is). Needs Node.js with npm.
set -eu
if ! command -v npm >/dev/null 2>&1; then
  echo "install-deno: npm is missing; install Node.js (with npm) or Deno 2.9.6 yourself" >&2
  exit 1
fi
npm install -g --silent --prefix "$HOME/.local/deno-npm" deno@2.9.6
echo "install-deno: installed $("$HOME/.local/deno-npm/bin/deno" --version | head -n 1)" >&2
echo "install-deno: ./streampulse finds it there; to call deno yourself: export PATH=\"\$HOME/.local/deno-npm/bin:\$PATH\"" >&2
