#!/usr/bin/env bash
# Install the Debian packages the suite needs, when they are missing:
#   chromium        headless browser for the browser tests (driven by Playwright)
#   fonts-noto-cjk  Chinese glyphs in browser screenshots
#   fonts-arphic-uming, fonts-wqy-microhei  TrueType-outline Chinese fonts embedded in PDFs
#                   (ReportLab cannot embed the CFF-based Noto CJK; see docs/pdf.md)
set -u
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 || fc-list 2>/dev/null | grep -qi "Noto Sans CJK" || missing+=(fonts-noto-cjk)
[ -f /usr/share/fonts/truetype/arphic/uming.ttc ] || missing+=(fonts-arphic-uming)
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
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
