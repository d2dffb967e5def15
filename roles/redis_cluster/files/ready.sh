#!/bin/sh
# Readiness of a cluster member: it sees cluster_state:ok, or it has never been part of a
# cluster: no slot assigned in its view, or no other node known (a new pod that the
# bootstrap has yet to form or join, or a half-made cluster that it has yet to complete).
# A member of a formed cluster that is down (peers lost, slots uncovered) still knows its
# peers from nodes.conf, so it is not Ready, and `kubectl get pods` and rollouts tell the truth.
# redis-cli with REDIS_CLI_ARGS (--tls and its CA when the members speak TLS): split into words.
cli() {
    # shellcheck disable=SC2086
    redis-cli ${REDIS_CLI_ARGS:-} "$@"
}

REDISCLI_AUTH="$(cat /run/redis/password)"
export REDISCLI_AUTH
info="$(cli -p "${REDIS_PORT:-6379}" cluster info 2>&1 | tr -d '\r')"
if printf '%s\n' "$info" | grep -qx -e 'cluster_state:ok' -e 'cluster_slots_assigned:0' -e 'cluster_known_nodes:1'; then
    exit 0
fi
printf '%s\n' "$info" | grep -e '^cluster_state' -e '^cluster_slots_ok' -e '^cluster_known_nodes' -e 'ERR' -e 'LOADING' \
    -e 'NOAUTH' -e 'refused' | tr '\n' ' '
exit 1
