#!/usr/bin/env bash
# System packages Firegrid needs beyond Python. `run`: fonts for Chinese PDFs. `test`: those plus
# Chromium and its driver for the browser tests, and Mosquitto for the MQTT broker tests. Installs them when we are root on Debian; otherwise
# says exactly what is missing.
set -uo pipefail
mode=${1:-run}
need=(fonts-noto-cjk libharfbuzz-subset0)
[ "$mode" = test ] && need+=(chromium chromium-driver mosquitto)

missing=()
for pkg in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null && exit 0
fi
echo "!!! Missing system packages: ${missing[*]}"
echo "!!! Install them with: sudo apt-get install ${missing[*]}"
echo "!!! (fonts-noto-cjk and libharfbuzz-subset0: Chinese PDFs; chromium, chromium-driver: browser tests;"
echo "!!!  mosquitto: the MQTT broker tests, which also start their own broker to restart it)"
[ "$mode" = test ] && [ "${CI:-}" = "true" ] && exit 1
exit 0
