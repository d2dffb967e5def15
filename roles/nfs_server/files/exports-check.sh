#!/bin/sh
# Usage: exports-check.sh CANDIDATE
# Checks a candidate exports file with exportfs itself, without touching the live export
# table: exportfs runs in a private mount namespace in which /etc/exports is empty,
# /etc/exports.d holds only the candidate and /var/lib/nfs (its etab) is a scratch tmpfs.
# exportfs needs no running nfsd for this; it exits non-zero with "unknown keyword" for a
# bad option and "Failed to stat" for a missing path, and that message is what we print.
set -eu
candidate=$1
exportfs=${EXPORTFS:-exportfs}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/exports.d"
cp "$candidate" "$work/exports.d/candidate.exports"
: > "$work/exports"
# unshare makes every mount private: nothing below is seen outside this command.
# shellcheck disable=SC2016 # the script is expanded by the inner sh, not here
unshare --mount sh -eu -c '
  mount -t tmpfs stateful-kube-check /var/lib/nfs
  mount --bind "$1/exports" /etc/exports
  mount --bind "$1/exports.d" /etc/exports.d
  "$2" -ra
' sh "$work" "$exportfs"
