#!/bin/sh
# Usage: ganesha-check.sh CANDIDATE_CONFIG ADDRESS PORT RECOVERY_DIR PATH...
# NFS-Ganesha has no "check the configuration" switch, and a bad export only logs CRIT
# while the server keeps running without it. So the candidate is proven the only way that
# counts: a throwaway ganesha runs it in private network and mount namespaces (its own
# copy of ADDRESS on a veth, its recovery folder on a scratch tmpfs), and every PATH must
# be listed over NFSv4 by libnfs's nfs-ls. The live server is not touched.
set -eu
config=$1
address=$2
port=$3
recovery=$4
shift 4
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# shellcheck disable=SC2016 # the script is expanded by the inner sh, not here
unshare --mount --net sh -eu -c '
  config=$1 address=$2 port=$3 recovery=$4 work=$5
  shift 5
  ip link set lo up
  case "$address" in
    127.*) ;;
    *)
      ip link add skcheck0 type veth peer name skcheck1
      ip addr add "$address/32" dev skcheck0
      ip link set skcheck0 up
      ip link set skcheck1 up
      ;;
  esac
  mkdir -p "$recovery"
  mount -t tmpfs stateful-kube-check "$recovery"
  ganesha.nfsd -F -f "$config" -L "$work/ganesha.log" -p "$work/ganesha.pid" -N NIV_EVENT &
  ganesha=$!
  failed=""
  for path in "$@"; do
    tries=0
    until out=$(nfs-ls "nfs://$address$path?version=4&nfsport=$port" 2>&1); do
      tries=$((tries + 1))
      # Only "not listening yet" is worth a retry: any NFS reply (NOENT, ACCESS) is final.
      case "$out" in *NFS4ERR* | *NFS3ERR*) retry=no ;; *) retry=yes ;; esac
      if [ "$retry" = no ] || [ "$tries" -ge 50 ] || ! kill -0 "$ganesha" 2>/dev/null; then
        failed="$failed
$path is not served by ganesha with this configuration: $(echo "$out" | tail -n 1)"
        break
      fi
      sleep 0.1
    done
  done
  kill "$ganesha" 2>/dev/null || true
  wait "$ganesha" 2>/dev/null || true
  if [ -n "$failed" ]; then
    echo "NFS-Ganesha rejected the candidate configuration:$failed" >&2
    echo "(NFS4ERR_NOENT also means $address is not among the export'"'"'s clients.)" >&2
    echo "ganesha log (its CRIT, MAJ and FATAL lines, less the usual DBUS, Kerberos and rpcbind noise):" >&2
    grep -E ":(CRIT|MAJ|FATAL) :" "$work/ganesha.log" | grep -v -E ":(DBUS|NFS CB) :|nfs_Init_svc|Register_program" \
      | sed "s/^.*\] //" >&2 || true
    exit 1
  fi
' sh "$config" "$address" "$port" "$recovery" "$work" "$@"
