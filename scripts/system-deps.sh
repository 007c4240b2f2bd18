#!/usr/bin/env bash
# Install the Debian packages the suite needs, when they are missing:
#   chromium        headless browser for the browser tests (driven by Playwright)
#   fonts-noto-cjk  Chinese glyphs in screenshots and PDFs
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "system-deps: apt-get not available; missing: ${missing[*]} (browser tests will be skipped)" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo -n"
echo "system-deps: installing ${missing[*]}"
$SUDO apt-get update -qq || true
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
  || { echo "system-deps: could not install ${missing[*]}" >&2; exit 1; }
