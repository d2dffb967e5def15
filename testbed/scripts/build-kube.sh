#!/usr/bin/env bash
# Build kube-apiserver, kube-controller-manager and kube-scheduler from Debian's
# `kubernetes` source package, once, into a cache outside the repository.
# Why from source: no binary can be downloaded here, and Debian ships only the
# client; the source package is the one real control plane we can have.
set -euo pipefail

CACHE_ROOT="${STATEFUL_KUBE_CACHE:-$HOME/.cache/stateful-kube}"
WHAT="cmd/kube-apiserver cmd/kube-controller-manager cmd/kube-scheduler"
BINARIES="kube-apiserver kube-controller-manager kube-scheduler"

log() { printf 'build-kube: %s\n' "$*" >&2; }

src_dir="$CACHE_ROOT/src"
mkdir -p "$src_dir"

# One build at a time per cache (two `make testbed-up` at once would share one tree);
# the second waits, then finds the binaries cached.
exec 9>"$CACHE_ROOT/build.lock"
flock 9

# A private apt configuration just for `apt-get source`, so the system's sources are
# left alone: same mirror and keyring as the system's deb entries, plus deb-src.
apt_dir="$CACHE_ROOT/apt"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/sources.list.d"
system_sources=/etc/apt/sources.list.d/debian.sources
if [[ -f $system_sources ]]; then
  sed 's/^Types: deb$/Types: deb deb-src/' "$system_sources" > "$apt_dir/sources.list.d/debian.sources"
else
  grep -h '^deb ' /etc/apt/sources.list | sed 's/^deb /deb-src /' > "$apt_dir/sources.list.d/debian-src.list"
fi
: > "$apt_dir/sources.list"
apt_opts=(-o "APT::Sandbox::User=root" -o "Dir::Etc::SourceList=$apt_dir/sources.list"
          -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
          -o "Dir::State::Lists=$apt_dir/lists")

version="$(cat "$CACHE_ROOT/kube-source-version" 2>/dev/null || true)"
if [[ -z $version ]]; then
  log "resolving the kubernetes source package version"
  apt-get "${apt_opts[@]}" -qq update
  version="$(apt-cache "${apt_opts[@]}" showsrc kubernetes | awk '/^Version:/ {print $2; exit}')"
  [[ -n $version ]] || { log "apt-cache showsrc kubernetes found nothing"; exit 1; }
  echo "$version" > "$CACHE_ROOT/kube-source-version"
fi
# The build flavour is part of the cache key: "r2" = vendored reflect2 replaced (below).
bin_dir="$CACHE_ROOT/kube-$version-r2/bin"

have_all=1
for b in $BINARIES; do [[ -x $bin_dir/$b ]] || have_all=0; done
if [[ $have_all == 1 ]]; then
  log "cached: $bin_dir"
  echo "$bin_dir"
  exit 0
fi

command -v go >/dev/null || { log "golang-go is missing: run 'make setup'"; exit 1; }

tree="$(find "$src_dir" -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)"
if [[ -z $tree ]]; then
  log "fetching the kubernetes $version source package"
  [[ -d $apt_dir/lists ]] && ls "$apt_dir"/lists/*Sources* >/dev/null 2>&1 || apt-get "${apt_opts[@]}" -qq update
  (cd "$src_dir" && apt-get "${apt_opts[@]}" -qq source --only-source "kubernetes=$version" >/dev/null)
  tree="$(find "$src_dir" -maxdepth 1 -type d -name 'kubernetes-*' | head -n1)"
fi

# A half-finished or pruned earlier build leaves empty tool binaries and a stale .make
# dependency cache behind: start every build clean.
rm -rf "$tree/_output" "$tree/.make"

# Kubernetes 1.20 vendors github.com/modern-go/reflect2 v1.0.1, whose map iterator has the
# wrong size for Go >= 1.18: built with Debian's Go 1.19, the API server segfaults at
# random in json-iterator (mapiterinit) while encoding any map. v1.0.2 fixes exactly that;
# Debian ships it as golang-github-modern-go-reflect2-dev, so put it in the vendor tree.
reflect2_src=/usr/share/gocode/src/github.com/modern-go/reflect2
[[ -f $reflect2_src/go_above_118.go ]] || { log "golang-github-modern-go-reflect2-dev (>= 1.0.2) is missing: run 'make setup'"; exit 1; }
rsync -a --delete --exclude go.mod --exclude '*_test.go' "$reflect2_src/" "$tree/vendor/github.com/modern-go/reflect2/"
sed -i 's|github.com/modern-go/reflect2 v1.0.1|github.com/modern-go/reflect2 v1.0.2|g' "$tree/go.mod" "$tree/vendor/modules.txt"
log "building $WHAT in $tree (about 6 minutes on 2 cores)"
(cd "$tree" && CGO_ENABLED=0 GOPROXY=off GOFLAGS= make WHAT="$WHAT" >"$CACHE_ROOT/build.log" 2>&1) || {
  log "build failed; last lines of $CACHE_ROOT/build.log:"; tail -n 30 "$CACHE_ROOT/build.log" >&2; exit 1; }

mkdir -p "$bin_dir"
for b in $BINARIES; do
  cp "$(find "$tree/_output" -type f -name "$b" -perm -u+x | head -n1)" "$bin_dir/$b"
done
# The build tree is 2 GB; only the binaries are worth keeping.
rm -rf "$tree/_output" "$tree/.make"
log "built: $bin_dir"
echo "$bin_dir"
