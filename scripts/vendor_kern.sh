#!/usr/bin/env bash
# Refresh static/vendor/kern from the npm package @kern-ux/native (EUPL-1.2).
# Copies the built CSS, the Fira Sans fonts its stylesheet references and the licence.
set -euo pipefail
version="${1:-2.7.2}"
dest="$(cd "$(dirname "$0")/.." && pwd)/static/vendor/kern"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@kern-ux/native@${version}" >/dev/null && tar xzf ./*.tgz)
pkg="$work/package"
rm -rf "$dest"
mkdir -p "$dest/fonts/fira-sans"
cp "$pkg/dist/kern.min.css" "$dest/"
cp "$pkg/dist/fonts/fira-sans.css" "$dest/fonts/"
grep -o 'fira-sans/[A-Za-z-]*\.woff2' "$pkg/dist/fonts/fira-sans.css" | sort -u | while read -r font; do
  cp "$pkg/dist/fonts/$font" "$dest/fonts/$font"
done
cp "$pkg/LICENSE.md" "$dest/LICENSE.md"
printf '@kern-ux/native %s (EUPL-1.2), aus dem npm-Paket übernommen von scripts/vendor_kern.sh\n' \
  "$version" > "$dest/VERSION"
echo "KERN ${version} -> ${dest}"
