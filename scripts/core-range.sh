#!/usr/bin/env bash
# The supported ansible-core range, tested: `ansible-test sanity` and `units` of the
# collection under each ansible-core version given (default: the oldest we claim in
# meta/runtime.yml; the newest is .venv's, which `make sanity units` uses). Each version
# gets its own virtual environment under ~/.cache/stateful-kube/ (made once).
# Usage: scripts/core-range.sh COLLECTION_DIR [VERSION...]   e.g. 2.16
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
collection_dir="$1"; shift
versions=("${@:-2.16}")
cache="${HOME}/.cache/stateful-kube"
failed=()
for version in "${versions[@]}"; do
  venv="$cache/core-$version"
  stamp="$venv/.requirements-$(cat "$root/requirements.txt" "$0" | sha256sum | cut -c1-16)"
  if [[ ! -f $stamp ]]; then
    echo "core-range: making $venv (ansible-core $version.*)"
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q --upgrade pip >/tmp/stateful-kube-core-$version.log 2>&1
    # pytest and its plugins as ansible-test's units requirements ask; PyYAML for our tests.
    "$venv/bin/pip" install -q "ansible-core==$version.*" -r "$root/requirements.txt" \
      pytest pytest-mock pytest-xdist PyYAML >>/tmp/stateful-kube-core-$version.log 2>&1 || {
        tail -n 20 /tmp/stateful-kube-core-$version.log; exit 1; }
    rm -f "$venv"/.requirements-*; touch "$stamp"
  fi
  # ansible-test's pip bootstrap for its sanity venvs: the same offline stand-in as setup.sh.
  pip_version="$(grep -oP "pip='\K[0-9.]+" "$venv"/lib/python3*/site-packages/ansible_test/_internal/python_requirements.py | head -n1)"
  bootstrap="$HOME/.ansible/test/cache/get_pip_${pip_version//./_}.py"
  [[ -f $bootstrap ]] || { mkdir -p "$(dirname "$bootstrap")"; cp "$root/scripts/get_pip_offline.py" "$bootstrap"; }
  core="$("$venv/bin/python" -c 'from ansible.release import __version__; print(__version__)')"
  echo "== ansible-core $core: sanity"
  (cd "$collection_dir" && PATH="$venv/bin:$PATH" ansible-test sanity --venv --python 3.11 --color no) \
    || failed+=("sanity on $core")
  echo "== ansible-core $core: units"
  (cd "$collection_dir" && PATH="$venv/bin:$PATH" ansible-test units --local --python 3.11 --color no) \
    || failed+=("units on $core")
done
if ((${#failed[@]})); then echo "core-range: FAILED: ${failed[*]}" >&2; exit 1; fi
