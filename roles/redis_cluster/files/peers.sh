#!/bin/sh
# What heal.sh and ready.sh share (sourced): how this member's view of a node is judged.
#
# Right after a restart a member loads nodes.conf and, two seconds later, reports
# cluster_state:ok: no node has been flagged yet (that takes cluster-node-timeout), and a
# node whose connect to its old address is still pending shows its link "connected". Its
# CLUSTER NODES and CLUSTER SLOTS then send clients to addresses nobody holds any more
# (itself included: a member learns its own new address only when a peer MEETs it there).
# So neither cluster_state nor the link field says whether the view is current; the DNS
# name each node announces does.

# These scripts run every second or two in every member's pod, so they avoid forks: at
# thirty pods on two CPUs, a loop forking a pipeline per field (cat, tr, grep, one getent
# per name) kept three quarters of the machine busy with the cluster at rest.
# Builtins (read, case, parameter expansion) do the parsing; one redis-cli call brings
# what a round needs.

cr="$(printf '\r')"  # CLUSTER INFO and INFO end their lines with CR LF
nl='
'

# redis-cli with REDIS_CLI_ARGS (--tls and its CA when the members speak TLS): split into words.
cli() {
    # shellcheck disable=SC2086
    redis-cli ${REDIS_CLI_ARGS:-} -p "${REDIS_PORT:-6379}" "$@"
}

# The password, read at every use (a password rotation rewrites the file), by the read builtin.
authenticate() {
    REDISCLI_AUTH=
    [ -r /run/redis/password ] || return 1
    IFS= read -r REDISCLI_AUTH < /run/redis/password || [ -n "$REDISCLI_AUTH" ] || return 1
    export REDISCLI_AUTH
}

# The address a DNS name resolves to now (empty when it does not resolve: its pod is not there).
resolve() {
    # shellcheck disable=SC2046  # getent prints "address name..."; the first word is the address
    set -- $(getent hosts "$1")
    echo "${1:-}"
}

# The member's clock in milliseconds (TIME: seconds and microseconds), to age CLUSTER NODES' ping-sent.
now_ms() {
    # shellcheck disable=SC2046
    set -- $(cli time 2>/dev/null)
    if [ -n "${2:-}" ]; then echo $(($1 * 1000 + $2 / 1000)); else echo 0; fi
}

# has_line TEXT LINE: whether TEXT (a reply, its lines ending in LF or CR LF) has the line LINE.
has_line() {
    case "$nl$1$nl" in
        *"$nl$2$cr$nl"* | *"$nl$2$nl"*) return 0 ;;
    esac
    return 1
}

# answering FLAGS LINK PING_SENT: whether this member hears from the node: no failure flag,
# link up, and no PING unanswered for longer than REDIS_PING_PATIENCE_MS (a live peer
# answers in milliseconds; a connect to an address nobody holds never does). The clock is
# read only when a PING is outstanding, once per round: the caller empties $now first.
answering() {
    case "$1,$2" in *fail*|*noaddr*|*,disconnected) return 1 ;; esac
    [ "$3" = 0 ] && return 0
    [ -n "${now:-}" ] || now="$(now_ms)"
    [ "$now" = 0 ] || [ $((now - $3)) -lt "${REDIS_PING_PATIENCE_MS:-1000}" ]
}
