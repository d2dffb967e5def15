#!/bin/sh
# The redis image's entrypoint behaviour that clients rely on, written for the test bed:
# options or a .conf file as first argument mean "redis-server with these", and
# protected mode is off unless the config file or the arguments decide it.
case "$1" in
    -*|*.conf) set -- redis-server "$@" ;;
esac
if [ "$1" = redis-server ]; then
    shift
    config=
    if [ -f "$1" ]; then
        config=$1
        shift
    fi
    decided=
    if [ -n "$config" ] && grep -q '^protected-mode' "$config"; then
        decided=yes
    fi
    for arg in "$@"; do
        [ "$arg" = --protected-mode ] && decided=yes
    done
    if [ -z "$decided" ]; then
        set -- --protected-mode no "$@"
    fi
    if [ -n "$config" ]; then
        set -- "$config" "$@"
    fi
    set -- redis-server "$@"
fi
exec "$@"
