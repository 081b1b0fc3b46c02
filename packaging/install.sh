#!/bin/sh
# Puts Lead Workbench in this user's applications menu, with its icon, started from this
# folder. Run it again after moving the folder.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
share=${XDG_DATA_HOME:-$HOME/.local/share}
icons="$here/_internal/resources/icons"
for png in "$icons"/lead-workbench-*.png; do
  size=${png##*-}; size=${size%.png}
  install -D -m 644 "$png" "$share/icons/hicolor/${size}x${size}/apps/lead-workbench.png"
done
install -D -m 644 "$icons/lead-workbench.svg" "$share/icons/hicolor/scalable/apps/lead-workbench.svg"
install -D -m 644 "$here/lead-workbench.metainfo.xml" "$share/metainfo/lead-workbench.metainfo.xml"
mkdir -p "$share/applications"
sed "s|^Exec=workbench|Exec=\"$here/workbench\"|" "$here/lead-workbench.desktop" \
  > "$share/applications/lead-workbench.desktop"
command -v update-desktop-database >/dev/null && update-desktop-database -q "$share/applications" || true
echo "Lead Workbench is in your applications menu."
