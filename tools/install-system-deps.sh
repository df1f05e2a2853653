#!/usr/bin/env bash
# System packages the test suite needs (Debian/Ubuntu). Idempotent: installs only what is missing.
# Each line is one dependency; add yours as another line, never replace one.
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
apt_install() { ($SUDO apt-get update -qq || true) && $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; }
command -v chromium >/dev/null 2>&1 || apt_install chromium   # duban board: the board tested in headless Chromium
