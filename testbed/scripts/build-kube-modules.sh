#!/usr/bin/env bash
# Build kube-apiserver, kube-controller-manager and kube-scheduler of k8s.io/kubernetes
# $KUBE_VERSION (e.g. v1.37.2) from the Go module proxy, once, into a cache outside the
# repository; with ETCD_VERSION set (e.g. v3.6.5), build etcd of that version as well.
#
# Why a build module: k8s.io/kubernetes replaces its k8s.io/<staging> modules with
# ./staging/src/..., which are not in its module zip. A module that requires
# k8s.io/kubernetes and replaces each staging module with its published v0.X is the way
# to build it as a dependency. Prints the bin directory on stdout.
set -euo pipefail

CACHE_ROOT="${STATEFUL_KUBE_CACHE:-$HOME/.cache/stateful-kube}"
GO="${GO:-/usr/local/go/bin/go}"
KUBE_VERSION="${KUBE_VERSION:?KUBE_VERSION (e.g. v1.37.2) is required}"
ETCD_VERSION="${ETCD_VERSION:-}"
BINARIES="kube-apiserver kube-controller-manager kube-scheduler"

log() { printf 'build-kube-modules: %s\n' "$*" >&2; }

[[ $KUBE_VERSION == v* ]] || KUBE_VERSION="v$KUBE_VERSION"
bin_dir="$CACHE_ROOT/kube-$KUBE_VERSION/bin"
mkdir -p "$CACHE_ROOT"

kube_built() {
  local b
  for b in $BINARIES; do [[ -x $bin_dir/$b ]] || return 1; done
}
cached() {
  kube_built && [[ -z $ETCD_VERSION || -x $bin_dir/etcd-$ETCD_VERSION ]]
}
if cached; then log "cached: $bin_dir"; echo "$bin_dir"; exit 0; fi

# One build at a time per cache; the second waits, then finds the binaries cached.
exec 9>"$CACHE_ROOT/build-modules.lock"
flock 9
if cached; then log "cached: $bin_dir"; echo "$bin_dir"; exit 0; fi

[[ -x $GO ]] || { log "Go is missing at $GO (set GO=...)"; exit 1; }
# The module cache and build cache live in the stateful-kube cache, so that one `rm -rf`
# of it starts clean, and nothing lands in the repository.
export GOMODCACHE="${GOMODCACHE:-$CACHE_ROOT/go/mod}" GOCACHE="${GOCACHE:-$CACHE_ROOT/go/build}"
export CGO_ENABLED=0 GOFLAGS=-mod=mod GOTOOLCHAIN=local

# Build module for one main module version: require it, replace what it replaces locally
# by the published version, tidy. $1 = dir, $2 = module, $3 = version, $4 = staging
# version (v0.X.Y for kubernetes, same as $3 for etcd), $5... = packages to build.
build_module() {
  local dir=$1 module=$2 version=$3 staged=$4; shift 4
  rm -rf "$dir" && mkdir -p "$dir"
  local gomod
  gomod="$("$GO" mod download -json "$module@$version" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
  # Exit status 3 says "the Go module proxy cannot be reached": the caller may fall back.
  [[ -f $gomod ]] || { log "cannot download $module@$version from $("$GO" env GOPROXY)"; exit 3; }
  {
    echo "module stateful-kube/build"
    echo
    echo "go $(awk '$1 == "go" {print $2; exit}' "$gomod")"
    echo
    echo "require $module $version"
    echo
    # `X => ./local/path` (single-line or inside a replace block) -> `X => X $staged`;
    # etcd's guards against importing its root module (`=> ./FORBIDDEN_DEPENDENCY`) are dropped.
    awk -v staged="$staged" '
      /^replace \($/ {block = 1; next}
      block && /^\)/ {block = 0; next}
      { line = $0; sub(/^replace[ \t]+/, "", line) }
      (block || /^replace /) && line ~ /=>[ \t]*\.\.?\// && line !~ /FORBIDDEN/ {
        split(line, f, /[ \t]+/); n = (f[1] == "" ? f[2] : f[1]); print "replace " n " => " n " " staged
      }' "$gomod"
  } > "$dir/go.mod"
  # The tools pattern: importing the commands makes `go mod tidy` keep their dependencies.
  { echo "//go:build tools"; echo; echo "package tools"; echo; echo "import ("
    local p; for p in "$@"; do echo "	_ \"$p\""; done; echo ")"; } > "$dir/tools.go"
  (cd "$dir" && "$GO" mod tidy -e >/dev/null)
}

mkdir -p "$bin_dir.tmp"
if ! kube_built; then
start=$SECONDS
work="$CACHE_ROOT/build-module/kube-$KUBE_VERSION"
staged="v0.${KUBE_VERSION#v1.}"
pkgs=(); for b in $BINARIES; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
log "resolving k8s.io/kubernetes $KUBE_VERSION (staging modules at $staged)"
build_module "$work" k8s.io/kubernetes "$KUBE_VERSION" "$staged" "${pkgs[@]}"

# What `kube-apiserver --version` and /version report (the build normally stamps it from git).
major="${KUBE_VERSION#v}"; major="${major%%.*}"
minor="${KUBE_VERSION#v*.}"; minor="${minor%%.*}"
now="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ldflags+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor"
  ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=$now"
done
log "building $BINARIES $KUBE_VERSION (about 15-25 minutes on 2 cores, once)"
(cd "$work" && "$GO" build -trimpath -ldflags "$ldflags" -o "$bin_dir.tmp/" "${pkgs[@]}") \
  >"$CACHE_ROOT/build-kube-$KUBE_VERSION.log" 2>&1 || {
  log "build failed; last lines of $CACHE_ROOT/build-kube-$KUBE_VERSION.log:"
  tail -n 30 "$CACHE_ROOT/build-kube-$KUBE_VERSION.log" >&2; exit 1; }
log "kubernetes $KUBE_VERSION built in $((SECONDS - start)) s"
fi

if [[ -n $ETCD_VERSION ]]; then
  start=$SECONDS
  ework="$CACHE_ROOT/build-module/etcd-$ETCD_VERSION"
  log "building etcd $ETCD_VERSION"
  build_module "$ework" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" "$ETCD_VERSION" \
    go.etcd.io/etcd/server/v3/etcdmain
  # etcd's main package lives in the etcd/v3 root module; server/v3/etcdmain is its body.
  mkdir -p "$ework/cmd/etcd"
  printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' \
    > "$ework/cmd/etcd/main.go"
  (cd "$ework" && "$GO" mod tidy -e >/dev/null && "$GO" build -trimpath -ldflags "-s -w" \
    -o "$bin_dir.tmp/etcd-$ETCD_VERSION" ./cmd/etcd) >"$CACHE_ROOT/build-etcd-$ETCD_VERSION.log" 2>&1 || {
    log "etcd build failed; see $CACHE_ROOT/build-etcd-$ETCD_VERSION.log"
    tail -n 30 "$CACHE_ROOT/build-etcd-$ETCD_VERSION.log" >&2; exit 1; }
  log "etcd $ETCD_VERSION built in $((SECONDS - start)) s"
fi

mkdir -p "$bin_dir"
find "$bin_dir.tmp" -mindepth 1 -maxdepth 1 -exec mv -t "$bin_dir" {} +
rmdir "$bin_dir.tmp"
log "built: $bin_dir"
echo "$bin_dir"
