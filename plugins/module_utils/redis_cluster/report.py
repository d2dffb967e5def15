# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The cluster as the module's result shows it: one entry per member, in ordinal order."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.replies import format_ranges


def topology(members, states):
    """``[{member, address, node, role, slots, slot_count, master, keys, cluster_state, link}]``."""
    name_of = dict((state.node_id, name) for name, state in states.items())
    rows = []
    for member in members:
        state = states.get(member.name)
        if state is None:
            continue
        me = state.myself
        rows.append({
            "member": member.name,
            "address": member.address,
            "node": member.k8s_node,
            "node_id": state.node_id,
            "role": "master" if me.is_master else "replica",
            "slots": format_ranges(me.slots),
            "slot_count": len(me.slots),
            "master": name_of.get(me.master_id, me.master_id) if me.master_id else None,
            "keys": state.dbsize,
            "cluster_state": state.cluster_info.get("cluster_state"),
            "link": state.replication.get("master_link_status") if not me.is_master else None,
        })
    return rows


def findings(members, states):
    """Facts worth a reader's attention that need no action: failed nodes, replicas on their master's node."""
    notes = []
    name_of = dict((state.node_id, name) for name, state in states.items())
    node_of = dict((member.name, member.k8s_node) for member in members)
    for member in members:
        state = states.get(member.name)
        if state is None:
            continue
        failed = [name_of.get(line.node_id, line.node_id) for line in state.peers if line.failed]
        if failed:
            notes.append("%s sees %s as failing" % (member.name, ", ".join(sorted(failed))))
        master = name_of.get(state.master_id)
        if master and node_of.get(master) and node_of.get(master) == member.k8s_node:
            notes.append("%s replicates %s on the same Kubernetes node %s" % (member.name, master, member.k8s_node))
    return notes


def takeovers(actions, states):
    """Planned masters that are replicas at the end: their replica took over (a failover) meanwhile."""
    planned = []
    for action in actions:
        if action["action"] == "wait_healthy":
            planned = action.get("masters") or []
    notes = []
    name_of = dict((state.node_id, name) for name, state in states.items())
    for name in planned:
        state = states.get(name)
        if state is not None and not state.is_master:
            notes.append("%s was to stay a master but is a replica of %s: its replica took over (a failover)"
                         % (name, name_of.get(state.master_id, state.master_id)))
    return notes
