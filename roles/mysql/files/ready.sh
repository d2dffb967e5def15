#!/bin/sh
# Readiness: the server answers and, on a replica, replication runs. The credentials come
# from the mounted Secret (a defaults file: no password on a command line, and a rotated
# password is seen without a restart).
# A replica whose IO thread is still "Connecting" counts as ready: after a switchover the
# primary may have a higher ordinal, and with OrderedReady a lower replica waiting for it
# must not block the primary's own start after all pods restarted at once.
client="$(command -v mariadb || command -v mysql)"
ask() { "$client" --defaults-extra-file=/etc/mysql/credentials/client.cnf --protocol=tcp -h127.0.0.1 -P"$PORT" \
  --connect-timeout=2 "$@"; }
if ! read_only="$(ask --batch --skip-column-names -e 'SELECT @@read_only' 2>&1)"; then
  # ERROR 1045: the server answers but not to the mounted password. Root's password was
  # just rotated and the kubelet has not refreshed the Secret's files yet (up to its sync
  # period): stay Ready, or every pod would leave its Services until then.
  case "$read_only" in *"ERROR 1045"*) echo "root's password was rotated; the mounted Secret lags behind"; exit 0 ;; esac
  echo "$read_only"
  exit 1
fi
[ "$read_only" = 0 ] && exit 0
# --vertical: one "Name: value" line per column
status="$(ask --vertical -e 'SHOW REPLICA STATUS')" || exit 1
[ -z "$status" ] && exit 0
echo "$status" | grep -Eq '(Slave|Replica)_SQL_Running: Yes' &&
  echo "$status" | grep -Eq '(Slave|Replica)_IO_Running: (Yes|Connecting)' && exit 0
echo "$status" | grep -E '(Slave|Replica)_(IO|SQL)_Running:|Last_(IO|SQL)_Error:'
exit 1
