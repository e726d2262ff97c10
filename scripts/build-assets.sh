#!/usr/bin/env bash
# Fetch front-end libraries from the npm registry and copy the files we serve into static/vendor.
set -euo pipefail
cd "$(dirname "$0")/.."
npm install --no-audit --no-fund --silent
dest=firegrid/static/vendor
mkdir -p "$dest"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/echarts/dist/echarts.min.js "$dest/echarts.min.js"
mkdir -p "$dest/leaflet/images"
cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css "$dest/leaflet/"
cp node_modules/leaflet/dist/images/*.png "$dest/leaflet/images/"
