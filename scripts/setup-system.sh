#!/usr/bin/env bash
# Install the system tools the publisher needs on Debian 12, then the Node
# validators (Ace by DAISY) into tools/node_modules. Idempotent: a repeat run
# skips apt entirely when everything is already present.
# Run as root (or via sudo). Usage: bash scripts/setup-system.sh
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DEBIAN_FRONTEND=noninteractive

APT_PACKAGES=(
  python3 python3-venv python3-pip
  fonts-ebgaramond fonts-dejavu-core fonts-noto-core fonts-noto-cjk
  poppler-utils qpdf chromium default-jre-headless make
  libgs-common  # ICC profiles: default_cmyk.icc, the PDF/X output intent (base/icc.py)
  zbar-tools  # zbarimg: the cover wrap test decodes its barcode with an independent reader
  libicu-dev pkg-config g++  # PyICU has no wheel for Linux: pip builds it against ICU (~45 s)
)
# Commands that must exist on PATH; any of them may come from outside apt
# (e.g. a Java or Node installed elsewhere), which is fine.
REQUIRED_COMMANDS=(python3 pdffonts pdfinfo qpdf chromium java make)

is_installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  if [[ "$pkg" == default-jre-headless ]] && command -v java >/dev/null 2>&1; then
    continue  # a Java runtime is already available; don't pull another one
  fi
  is_installed "$pkg" || missing+=("$pkg")
done
# Only bring Node/npm from apt when they are absent: a node 20 from elsewhere
# (e.g. NodeSource in /usr/bin/node) must not be replaced by Debian's node 18.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi

if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    SUDO=sudo
  else
    SUDO=
  fi
  echo "setup-system: installing with apt-get: ${missing[*]}"
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends "${missing[@]}"
else
  echo "setup-system: system packages already present, skipping apt"
fi

for cmd in "${REQUIRED_COMMANDS[@]}" node npm; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    echo "setup-system: required command '$cmd' still missing" >&2
    exit 1
  fi
done

node_major="$(node -p 'process.versions.node.split(".")[0]')"
if ((node_major < 20)); then
  echo "setup-system: warning: node $(node --version) found; Ace by DAISY 1.4 declares node >= 20" >&2
fi

# Ace by DAISY, pinned in tools/package-lock.json. --ignore-scripts stops
# puppeteer/electron from downloading their own browsers (Debian's chromium
# is used instead via PUPPETEER_EXECUTABLE_PATH).
cd "$ROOT/tools"
export PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1
if [[ -x node_modules/.bin/ace-puppeteer && node_modules/.package-lock.json -nt package-lock.json ]]; then
  echo "setup-system: tools/node_modules up to date"
elif [[ -f package-lock.json ]]; then
  npm ci --ignore-scripts --no-audit --no-fund
else
  npm install --ignore-scripts --no-audit --no-fund
fi
echo "setup-system: done"
