#!/usr/bin/env bash
# CHANGELOG.rst from the changelog fragments, without consuming them: antsibull-changelog
# renders the fragments as the release galaxy.yml names, in a scratch copy of changelogs/;
# only the rendered CHANGELOG.rst comes back. At release time, run
# `antsibull-changelog release` itself (it records the release and removes the fragments).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
cp -r "$root/changelogs" "$root/galaxy.yml" "$scratch/"
mkdir -p "$scratch/plugins" && cp -r "$root/plugins/." "$scratch/plugins/"
[[ -d $root/roles ]] && cp -r "$root/roles" "$scratch/"
cd "$scratch"
antsibull-changelog lint
antsibull-changelog release --date "$(git -C "$root" log -1 --format=%cs)" >/dev/null
cp CHANGELOG.rst "$root/CHANGELOG.rst"
echo "changelog: CHANGELOG.rst rendered from $(ls "$root"/changelogs/fragments | wc -l) fragments"
