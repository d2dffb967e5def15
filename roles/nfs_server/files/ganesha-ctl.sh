#!/bin/sh
# Usage: ganesha-ctl.sh start|stop|restart CONFIG PID_FILE LOG_FILE
# Runs ganesha.nfsd as a daemon with a pid file, for hosts without a service manager.
# "start" prints "running" when the pid file names a live ganesha.nfsd and "started"
# when it had to start one, so the caller can report a change truthfully.
set -eu
action=$1
config=$2
pid_file=$3
log_file=$4

running() {
  pid=$(cat "$pid_file" 2>/dev/null) || return 1
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = ganesha.nfsd ]
}

start() {
  if running; then
    echo running
    return 0
  fi
  rm -f "$pid_file"
  ganesha.nfsd -f "$config" -L "$log_file" -p "$pid_file" -N NIV_EVENT
  tries=0
  until running; do
    tries=$((tries + 1))
    if [ "$tries" -ge 100 ]; then
      echo "ganesha.nfsd did not start within 10 s; last lines of $log_file:" >&2
      tail -n 5 "$log_file" >&2 || true
      exit 1
    fi
    sleep 0.1
  done
  echo started
}

stop() {
  running || return 0
  kill "$pid"
  tries=0
  while kill -0 "$pid" 2>/dev/null; do
    tries=$((tries + 1))
    # ganesha stops in well under a second; a stuck one is killed so a restart can proceed.
    if [ "$tries" -ge 100 ]; then
      kill -9 "$pid" 2>/dev/null || true
    fi
    sleep 0.1
  done
  rm -f "$pid_file"
  echo stopped
}

case "$action" in
  start) start ;;
  stop) stop ;;
  restart) stop >/dev/null; start ;;
  *) echo "unknown action $action (start, stop, restart)" >&2; exit 2 ;;
esac
