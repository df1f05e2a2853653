#!/usr/bin/env bash
# The system packages duban's PDF output and its page tests need: LibreOffice Writer, poppler (pdfinfo,
# pdftotext, pdftoppm) and free faces for the official font names (see duban/fonts.conf): Noto CJK,
# AR PL SungtiL GB / KaitiM GB, and the Fandol faces (FandolFang for 仿宋) from texlive-lang-chinese; Chromium
# (the board page is loaded and screenshotted headless).
# Installs only what is missing, with apt-get, non-interactively; as root, or through sudo when there is one.
set -euo pipefail

PACKAGES=(libreoffice-writer-nogui poppler-utils fonts-noto-cjk fonts-arphic-gbsn00lp fonts-arphic-gkai00mp
          fonts-liberation2 texlive-lang-chinese chromium watchman)

missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null; then
    echo "install-system-deps: no apt-get here; please install: ${missing[*]}" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-system-deps: need root to install: ${missing[*]}" >&2; exit 1; }
    sudo=(sudo)
fi
echo "install-system-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
