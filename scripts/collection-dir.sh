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
git ls-files -z --cached --others --exclude-standard -- . ':!testbed' ':!bench' ':!scripts' ':!.ci' \
  | rsync -a --delete --from0 --files-from=- --exclude-from=<(printf 'tests/output/\n') ./ "$target/" 2>/dev/null || true
# rsync --delete only prunes within the listed files: drop files that no longer exist.
(cd "$target" && find . -type f -not -path './tests/output/*' -print0) | while IFS= read -r -d '' f; do
  [[ -e $root/$f ]] || rm -f "$target/$f"
done

# Collections we depend on (kubernetes.core, from the `ansible` package in .venv) must sit
# beside ours, or ansible-test's import and validate-modules tests cannot resolve them.
site_collections="$(ls -d "$root"/.venv/lib/python3*/site-packages/ansible_collections | head -n1)"
collections_root="$(dirname "$(dirname "$target")")"
for dep in kubernetes; do
  [[ -e $collections_root/$dep ]] || ln -s "$site_collections/$dep" "$collections_root/$dep"
done
