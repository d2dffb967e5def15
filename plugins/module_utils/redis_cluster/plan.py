# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""From a classified cluster and the requested shape to the list of actions (pure).

Every action is a plain dict (shown as is in the module's result and diff) naming members
by name, never by node id or address, so a plan reads the same before and after pods move:

- ``set_config_epoch`` member, epoch: distinct epochs for servers that never met anyone;
- ``add_slots`` member, slots: unassigned slots (no keys to copy);
- ``meet`` member, peers: the member meets each peer at its current address;
- ``failover`` member: a replica takes over its leaving master's slots and keys;
- ``move_slots`` source, target, slots: SETSLOT IMPORTING/MIGRATING, MIGRATE in batches, SETSLOT NODE;
  moves an earlier run left open come first (the allocation already counts them as done);
- ``replicate`` member, master;
- ``forget`` node, on: every staying member forgets a member that leaves;
- ``wait_healthy`` members: every member ``cluster_state:ok``, all slots, every replica's link up;
- ``lower_node_timeout`` / ``restore_node_timeout`` members, milliseconds: only on fresh servers
  (nothing to protect yet), see ``create_node_timeout_ms``.

The order of the list is the order of the phases; ``apply`` runs the actions of one phase
in parallel.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import allocation, classify as states
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import Refused
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.replies import format_ranges

# A master turns cluster_state:ok only min(cluster-node-timeout, 5 s) after it last saw
# itself in a minority, and a fresh server (no slots anywhere) always does: with the usual
# 5000 ms that is 5 s after it gets slots or learns of its peers' slots, whatever the tool
# (and until then it refuses the keys MIGRATE sends it). While a server is fresh there is
# nothing that delay protects, so it runs with a short timeout while it joins (which also
# makes it ping, and learn its peers' slots, more often) and gets its own back at the end.
# How short scales with the members: each one pings every peer it has not heard from in
# half the timeout, so the cluster bus carries members^2 / (timeout / 2) pings a second.
# 500 ms is fine up to some 25 members; 100 members at 500 ms flood two CPUs with pings,
# answers come late, members mark each other failing and the cluster never turns ok
# (bench/redis_bootstrap --sizes 100); at 20 ms per member (2 s) it forms in seconds.
CREATE_NODE_TIMEOUT_MS = 500
CREATE_NODE_TIMEOUT_MS_PER_MEMBER = 20

PHASES = ("lower_node_timeout", "set_config_epoch", "add_slots", "meet", "failover", "move_slots", "replicate",
          "forget", "wait_healthy", "restore_node_timeout")
NO_CHANGE = ("wait_healthy",)


def create_node_timeout_ms(members):
    """The short cluster-node-timeout for ``members`` fresh servers forming a cluster."""
    return max(CREATE_NODE_TIMEOUT_MS, CREATE_NODE_TIMEOUT_MS_PER_MEMBER * members)


def plan(classification):
    """The actions that take the classified cluster to its requested shape."""
    if classification.refused:
        raise Refused("; ".join(classification.reasons))
    t = classification.topology
    shape = t.shape
    if classification.state == states.COMPLETE:
        return [_wait(t)]

    actions = []
    actions.extend(_epochs(t))
    meets = _meets(t)

    owners = dict((name, list(slots)) for name, slots in t.slots.items())
    failovers = _failovers(t, owners)
    keep = [name for name in t.desired if name in owners]
    empty = [name for name in t.desired
             if name not in owners and t.states[name].is_master and t.states[name].dbsize == 0]
    masters = allocation.choose_masters(keep, empty, shape.masters, t.node_of)
    if len(masters) < shape.masters:
        raise Refused(
            "%d masters requested but only %d members can be masters (%s): a replica cannot become an empty "
            "master without CLUSTER RESET; request fewer masters or more members"
            % (shape.masters, len(masters), ", ".join(masters) or "none"))
    masters = [name for name in t.desired if name in masters]  # ordinal order

    adds, moves = allocation.allocate_slots(owners, masters)
    # Moves an earlier run left open come first: the allocation above counts them as done.
    moves = list(t.open_moves) + list(moves)
    for name in masters:
        if name in adds:
            actions.append({"action": "add_slots", "member": name, "slots": format_ranges(adds[name]),
                            "count": len(adds[name])})
    actions.extend(_merge_meets(t, meets))
    actions.extend({"action": "failover", "member": name, "master": old} for name, old in failovers)
    for source, target, slots in moves:
        actions.append({"action": "move_slots", "source": source, "target": target,
                        "slots": format_ranges(slots), "count": len(slots)})

    candidates = [name for name in t.desired if name not in masters]
    current = dict((name, master) for name, master in t.master_of.items() if name in candidates)
    for name, _old in failovers:  # the promoted replica's old master is no longer anyone's master
        current.pop(name, None)
    wanted = allocation.assign_replicas(masters, candidates, shape.replicas, t.node_of, current)
    for name in candidates:
        if (t.master_of.get(name) != wanted[name] or t.states[name].is_master
                or name in states.stale_replication(t)):
            actions.append({"action": "replicate", "member": name, "master": wanted[name]})

    gone = [name for name in t.leaving if name in t.cluster or any(t.knows(d, name) for d in t.desired)]
    for name in gone:
        actions.append({"action": "forget", "node": name, "on": list(t.desired)})
    actions.append(_wait(t, masters))
    fresh = [name for name in t.desired if t.states[name].fresh]
    if fresh:
        actions.append({"action": "lower_node_timeout", "members": fresh,
                        "milliseconds": create_node_timeout_ms(len(t.desired))})
        actions.append({"action": "restore_node_timeout", "members": fresh})
    return _ordered(actions)


def _wait(t, masters=None):
    action = {"action": "wait_healthy", "members": list(t.desired)}
    if masters is not None:
        action["masters"] = list(masters)  # as planned; a failover may still swap one with its replica
    return action


def _epochs(t):
    """Distinct config epochs for members that never met anyone, when no cluster exists yet.

    Redis resolves equal epochs by itself, one bump at a time; setting them up front
    (only possible while a server knows no other) saves those rounds.
    """
    if t.cluster:
        return []
    used = [t.states[name].myself.config_epoch for name in t.desired]
    epoch = max(used + [0])
    actions = []
    for name in t.desired:
        state = t.states[name]
        if state.isolated and state.myself.config_epoch == 0:
            epoch += 1
            actions.append({"action": "set_config_epoch", "member": name, "epoch": epoch})
    return actions


def _meets(t):
    """``{member: set(peers)}`` to meet: newcomers join, stale addresses are met again.

    A MEET introduces both sides to each other, so each pair is met once: a newcomer meets
    the members already in the cluster and the newcomers after it.
    """
    meets = {}
    inside = set(t.cluster)
    newcomers = [name for name in t.desired if name not in inside]
    for i, name in enumerate(newcomers):
        peers = [peer for peer in t.desired if peer in inside] + newcomers[i + 1:]
        meets.setdefault(name, set()).update(peers)
    for observer, peers in t.stale_addresses().items():
        meets.setdefault(observer, set()).update(peers)
    return meets


def _merge_meets(t, meets):
    """One meet action per member with peers to meet, members and peers in ordinal order (the members' order)."""
    order = [m.name for m in t.members]
    return [{"action": "meet", "member": name, "peers": sorted(meets[name], key=order.index)}
            for name in sorted(meets, key=order.index) if meets[name]]


def _failovers(t, owners):
    """Replicas that stay, promoted over their leaving master while masters would be missing.

    Promotion keeps the keys where they are (no copy); it is used only when the members
    that stay cannot otherwise supply the requested number of masters.
    """
    keep = [name for name in t.desired if name in owners]
    empty = [name for name in t.desired if name not in owners and t.states[name].is_master]
    missing = t.shape.masters - len(keep) - len(empty)
    promoted = []
    for leaving in t.leaving:
        if missing <= 0:
            break
        if leaving not in owners:
            continue
        heirs = [name for name in t.desired if t.master_of.get(name) == leaving]
        if heirs:
            owners[heirs[0]] = owners.pop(leaving)
            promoted.append((heirs[0], leaving))
            missing -= 1
    return promoted


def _ordered(actions):
    return sorted(actions, key=lambda action: PHASES.index(action["action"]))


def changes(actions):
    """True when the plan changes anything (waiting for health does not)."""
    return any(action["action"] not in NO_CHANGE for action in actions)
