#!/bin/sh
# Readiness of a cluster member: it has never been part of a cluster (no slot assigned in
# its view, or no other node known: a new pod that the bootstrap has yet to form or join,
# or a half-made cluster that it has yet to complete), or it sees cluster_state:ok in a
# view that is current: every master serving slots, itself included, is at the address its
# DNS name resolves to (peers.sh says why cluster_state alone is not enough after a
# restart). A member of a formed cluster that is down (peers lost, slots uncovered) still
# knows its peers from nodes.conf, so it is not Ready, and `kubectl get pods` and rollouts
# tell the truth; nor is a member whose CLUSTER SLOTS would send clients to old addresses.
# shellcheck source=peers.sh source-path=SCRIPTDIR
. "$(dirname "$0")/peers.sh"

authenticate
info="$(cli cluster info 2>&1)"
if has_line "$info" cluster_slots_assigned:0 || has_line "$info" cluster_known_nodes:1; then
    exit 0
fi
if ! has_line "$info" cluster_state:ok; then
    summary=
    while IFS= read -r line; do
        line="${line%"$cr"}"
        case "$line" in
            cluster_state* | cluster_slots_ok* | cluster_known_nodes* | *ERR* | *LOADING* | *NOAUTH* | *refused*)
                summary="$summary$line " ;;
        esac
    done <<EOF
$info
EOF
    echo "$summary"
    exit 1
fi
# The name and known address of every master serving slots.
names=
known=
n=0
while read -r _id address flags _master _ping _pong _epoch _link slots; do
    case "$flags" in *master*) ;; *) continue ;; esac
    name="${address#*,}"
    if [ -z "$slots" ] || [ "$name" = "$address" ] || [ -z "$name" ]; then
        continue  # serves no slot, or announced no name to check its address against
    fi
    hostport="${address%%,*}"
    names="$names $name"
    known="$known ${hostport%:*}"
    n=$((n + 1))
done <<EOF
$(cli cluster nodes 2>/dev/null)
EOF
[ -n "$names" ] || exit 0
# One getent for all the names: it prints a line per name it finds, in order, so when it
# prints as many lines as there are names, line i is name i. Otherwise (a name without a
# pod, or one with several addresses) each name is looked up alone.
# shellcheck disable=SC2086  # one word per name
resolved="$(getent hosts $names)"
count=0
while read -r _line; do count=$((count + 1)); done <<EOF
$resolved
EOF
# shellcheck disable=SC2086  # one word per address
set -- $known
stale=
if [ "$count" = "$n" ]; then
    rest="${names# }"
    while read -r at _canonical; do
        name="${rest%% *}"
        rest="${rest#"$name"}"
        rest="${rest# }"
        if [ "$at" != "$1" ]; then
            stale="$stale$name known at $1, now at $at; "
        fi
        shift
    done <<EOF
$resolved
EOF
else
    for name in $names; do
        at="$(resolve "$name")"
        if [ -n "$at" ] && [ "$at" != "$1" ]; then
            stale="$stale$name known at $1, now at $at; "
        fi
        shift
    done
fi
if [ -n "$stale" ]; then
    echo "cluster_state:ok on an old view: $stale"
    exit 1
fi
exit 0
