#!/bin/sh
# The init container of every mysql pod (runs before the server at each pod start).
# 1. This pod's settings: the shared replication.cnf and its own server-<ordinal>.cnf.
# 2. The role the bootstrap module recorded on the volume (<volume>/role), else the pod's
#    primary label (downward API): the primary starts writable, so a restarted or
#    re-created primary takes writes again without waiting for a run; every other pod
#    starts read-only, so a pod that restarts never takes writes beside the primary.
# 3. A seed the bootstrap module streamed and prepared (<volume>/seed/.prepared): it
#    becomes the datadir; the datadir it replaces is kept as <volume>/replaced-<time>
#    (or dropped when the module says the replica was empty).
set -eu
volume=/var/lib/mysql-volume
conf=/etc/mysql/conf.d
ordinal="${POD_NAME##*-}"
cp /etc/mysql/stateful-kube/replication.cnf "$conf/50-stateful-kube-replication.cnf"
cp "/etc/mysql/stateful-kube/server-$ordinal.cnf" "$conf/51-stateful-kube-server.cnf"
role="$(cat "$volume/role" 2>/dev/null || true)"
if [ "$role" = primary ] || { [ -z "$role" ] && grep -qx "$ROLE_LABEL=\"primary\"" /etc/podinfo/labels 2>/dev/null; }; then
  printf '[mysqld]\nread_only = OFF\n' > "$conf/52-stateful-kube-primary.cnf"
  [ "$FLAVOR" = mysql ] && printf 'super_read_only = OFF\n' >> "$conf/52-stateful-kube-primary.cnf"
  echo "primary: starting writable"
fi
mkdir -p "$volume/mysql"
if [ -f "$volume/seed/.prepared" ]; then
  mode="$(cat "$volume/seed/.prepared")"
  rm -f "$volume/seed/.prepared"
  if [ "$mode" = keep ]; then
    kept="$volume/replaced-$(date +%Y%m%dT%H%M%S)"
    mv "$volume/mysql" "$kept"
    echo "seed: the replaced datadir is kept in $kept"
  else
    mv "$volume/mysql" "$volume/replaced-empty" && rm -rf "$volume/replaced-empty"
  fi
  mv "$volume/seed" "$volume/mysql"
  echo "seed: the datadir is now the copy of the primary"
fi
