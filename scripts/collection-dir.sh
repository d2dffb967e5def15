#!/usr/bin/env bash
# Mirror the collection at .../ansible_collections/stateful/kube for ansible-test.
# ansible-test takes the collection root from os.getcwd(), which resolves symlinks, so a
# symlink to the repository is not enough: mirror the files git knows about (tracked, and
# untracked but not ignored) with rsync, which copies only what changed. The mirror lives
# outside the work tree, or ansible-test would ask the outer git repository for its files.
set -euo pipefail
target="$1"
root="$(cd "$(dirname "$0")/.." && pwd)"
[[ -L $target ]] && rm -f "$target"
mkdir -p "$target"
cd "$root"

# Sanity and unit tests judge what the collection ships (plus its tests): the developer
# tooling that galaxy.yml's build_ignore leaves out (test bed, benchmarks, scripts, CI) is
# Python of our own, linted by ruff, not collection content.
wanted="$(mktemp)"
trap 'rm -f "$wanted"' EXIT
git ls-files --cached --others --exclude-standard -- . ':!testbed' ':!bench' ':!scripts' ':!.ci' \
  | while IFS= read -r f; do [[ -f $f ]] && printf '%s\n' "$f"; done | sort > "$wanted"
rsync -a --files-from="$wanted" ./ "$target/"
# Prune what is no longer wanted (deleted, renamed or excluded since the last mirror).
(cd "$target" && find . -type f -not -path './tests/output/*' | sed 's|^\./||' | sort) \
  | comm -23 - "$wanted" | (cd "$target" && xargs -r -d '\n' rm -f)
find "$target" -mindepth 1 -type d -empty -not -path "$target/tests/output*" -delete

# Collections we depend on (kubernetes.core, from the `ansible` package in .venv) must sit
# beside ours, or ansible-test's import and validate-modules tests cannot resolve them.
site_collections="$(find "$root"/.venv/lib -maxdepth 3 -type d -name ansible_collections | head -n1)"
collections_root="$(dirname "$(dirname "$target")")"
[[ -e $collections_root/kubernetes ]] || ln -s "$site_collections/kubernetes" "$collections_root/kubernetes"
