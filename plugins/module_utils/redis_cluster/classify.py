# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Name the state of the cluster from what every member says about itself (pure).

The names, in the order they are tested (the first that holds is the state):

- ``foreign``: a member knows nodes that are none of ours (another cluster's member);
- ``inconsistent``: slots open (migrating/importing) towards a node that is not ours, a
  slot claimed twice (other than by the two sides of an open move), keys on a master
  without slots, or two separate multi-member clusters;
- ``unfinished``: slots left open between two of our members by a run that stopped in a
  move: the plan finishes those moves first (planning as if they were done);
- ``empty``: every member is a fresh server;
- ``partial``: some slots held and some not, or members holding slots that never met
  (an earlier run stopped half way);
- ``moved``: a member is known at an address it no longer has (pods restarted);
- ``scale_down``: members beyond the requested size are still in the cluster;
- ``scale_up``: requested members are not in the cluster yet;
- ``unbalanced``: all members are in, but masters, replicas or slots differ from the shape;
- ``complete``: nothing to do.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import allocation
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.replies import SLOTS, format_ranges

FOREIGN = "foreign"
INCONSISTENT = "inconsistent"
EMPTY = "empty"
PARTIAL = "partial"
MOVED = "moved"
SCALE_DOWN = "scale_down"
SCALE_UP = "scale_up"
UNBALANCED = "unbalanced"
COMPLETE = "complete"

UNFINISHED = "unfinished"

REFUSED = (FOREIGN, INCONSISTENT)


class Shape:
    """The requested cluster: ``masters`` masters with ``replicas`` replicas each."""

    def __init__(self, masters, replicas):
        self.masters = masters
        self.replicas = replicas

    @property
    def size(self):
        return self.masters * (1 + self.replicas)


class Topology:
    """The facts the planner needs, derived once from the members' own views."""

    def __init__(self, members, states, shape):
        self.members = list(members)  # ordinal order
        self.states = states
        self.shape = shape
        self.desired = [m.name for m in self.members[:shape.size]]
        self.leaving = [m.name for m in self.members[shape.size:]]
        self.node_of = dict((m.name, m.k8s_node) for m in self.members)
        self.member = dict((m.name, m) for m in self.members)
        self.name_of = dict((state.node_id, name) for name, state in states.items())
        self.open_moves = self._open_moves()  # [(source, target, [slot, ...])]
        self.slots = self._slots_as_if_moved()
        self.master_of = {}  # replica -> master (names), from the replica's own view
        for name, state in states.items():
            if not state.is_master and state.master_id in self.name_of:
                self.master_of[name] = self.name_of[state.master_id]
        self.cluster = self._main_cluster()

    def _open_moves(self):
        """Moves an earlier run left open between two members: from either side's open-slot marks."""
        moves = {}
        for name, state in self.states.items():
            me = state.myself
            for slot, node_id in me.migrating.items():
                if node_id in self.name_of:
                    moves.setdefault((name, self.name_of[node_id]), set()).add(slot)
            for slot, node_id in me.importing.items():
                if node_id in self.name_of:
                    moves.setdefault((self.name_of[node_id], name), set()).add(slot)
        return [(source, target, sorted(slots)) for (source, target), slots in sorted(moves.items())]

    def _slots_as_if_moved(self):
        """Each member's slots, with the slots of open moves at their target (the plan finishes those first)."""
        slots = dict((name, set(state.slots)) for name, state in self.states.items() if state.slots)
        for source, target, moving in self.open_moves:
            slots.setdefault(target, set()).update(moving)
            slots[source] = slots.get(source, set()) - set(moving)
        return dict((name, sorted(held)) for name, held in slots.items() if held)

    def knows(self, observer, peer):
        return any(line.node_id == self.states[peer].node_id for line in self.states[observer].peers)

    def mutual(self, one, other):
        return self.knows(one, other) and self.knows(other, one)

    def _main_cluster(self):
        """The members of the largest group that know each other both ways (a formed cluster)."""
        groups = self.groups()
        big = [group for group in groups if len(group) > 1]
        if not big:
            return []
        return max(big, key=len)

    def groups(self):
        """Groups of members that know each other both ways, in ordinal order."""
        names = [m.name for m in self.members]
        parent = dict((name, name) for name in names)

        def root(name):
            while parent[name] != name:
                parent[name] = parent[parent[name]]
                name = parent[name]
            return name

        for a in names:
            for b in names:
                if a < b and self.mutual(a, b):
                    parent[root(a)] = root(b)
        groups = {}
        for name in names:
            groups.setdefault(root(name), []).append(name)
        return sorted(groups.values(), key=lambda group: names.index(group[0]))

    def stale_addresses(self):
        """``{observer: [peer, ...]}``: peers the observer knows at an address they no longer have."""
        stale = {}
        for name, state in self.states.items():
            for line in state.peers:
                peer = self.name_of.get(line.node_id)
                if peer and line.address != self.member[peer].address:
                    stale.setdefault(name, []).append(peer)
        return stale

    def masters(self):
        """Members that hold slots, in ordinal order."""
        return [m.name for m in self.members if m.name in self.slots]

    def replicas_of(self, master):
        return [name for name in self.desired if self.master_of.get(name) == master]


class Classification:
    def __init__(self, state, reasons, topology):
        self.state = state
        self.reasons = reasons  # why: one sentence per fact
        self.topology = topology

    @property
    def refused(self):
        return self.state in REFUSED


def classify(members, states, shape):
    """The ``Classification`` of a cluster; ``members`` in ordinal order, ``states`` from observe."""
    topology = Topology(members, states, shape)
    for test in (_foreign, _inconsistent, _unfinished, _empty, _partial, _moved, _scale_down, _scale_up,
                 _unbalanced):
        found = test(topology)
        if found:
            state, reasons = found
            return Classification(state, reasons, topology)
    return Classification(COMPLETE, ["%d members, %d masters with %d replica(s) each, all %d slots held"
                                     % (len(topology.desired), shape.masters, shape.replicas, SLOTS)], topology)


def _foreign(t):
    reasons = []
    for name in [m.name for m in t.members]:
        strangers = [line for line in t.states[name].peers if line.node_id not in t.name_of]
        if strangers:
            reasons.append("%s knows node(s) that are none of this StatefulSet's members: %s" % (
                name, ", ".join("%s at %s" % (line.node_id[:8], line.address) for line in strangers)))
    return (FOREIGN, reasons) if reasons else None


def _inconsistent(t):
    reasons = []
    claimed = {}
    importers = set(target for _source, target, _slots in t.open_moves)  # keys before slots, while a move is open
    for m in t.members:
        state = t.states[m.name]
        me = state.myself
        migrating = [slot for slot, node_id in me.migrating.items() if node_id not in t.name_of]
        importing = [slot for slot, node_id in me.importing.items() if node_id not in t.name_of]
        if migrating or importing:
            reasons.append("%s has slots open towards nodes that are not this StatefulSet's members (migrating: %s; "
                           "importing: %s)" % (m.name, format_ranges(migrating) or "none",
                                               format_ranges(importing) or "none"))
        for slot in me.slots:
            claimed.setdefault(slot, []).append(m.name)
        if state.is_master and not me.slots and state.dbsize > 0 and m.name not in importers:
            reasons.append("%s is a master without slots but holds %d key(s)" % (m.name, state.dbsize))
    moving = dict((slot, set([source, target])) for source, target, slots in t.open_moves for slot in slots)
    twice = dict((slot, names) for slot, names in claimed.items()
                 if len(names) > 1 and not set(names) <= moving.get(slot, set()))
    if twice:
        pairs = sorted(set(tuple(names) for names in twice.values()))
        reasons.append("slots %s are claimed by more than one member (%s)" % (
            format_ranges(twice), "; ".join(" and ".join(p) for p in pairs)))
    big = [group for group in t.groups() if len(group) > 1]
    if len(big) > 1:
        reasons.append("the members form %d separate clusters: %s" % (
            len(big), "; ".join(", ".join(group) for group in big)))
    return (INCONSISTENT, reasons) if reasons else None


def _unfinished(t):
    if not t.open_moves:
        return None
    return UNFINISHED, ["slots %s left open from %s to %s by an earlier run: this run finishes moving them"
                        % (format_ranges(slots), source, target) for source, target, slots in t.open_moves]


def _empty(t):
    if all(state.fresh for state in t.states.values()):
        return EMPTY, ["all %d members are fresh (alone, no slots, no keys)" % len(t.states)]
    return None


def _partial(t):
    held = set()
    for slots in t.slots.values():
        held.update(slots)
    reasons = []
    if len(held) < SLOTS:
        reasons.append("%d of %d slots are held" % (len(held), SLOTS))
    apart = [name for name in t.slots if name not in t.cluster]
    if apart:
        reasons.append("members holding slots outside the cluster: %s" % ", ".join(sorted(apart)))
    return (PARTIAL, reasons) if reasons else None


def _moved(t):
    stale = t.stale_addresses()
    if not stale:
        return None
    peers = sorted(set(peer for peers in stale.values() for peer in peers))
    return MOVED, ["%s known at an old address by %d member(s)" % (
        ", ".join("%s (now %s)" % (peer, t.member[peer].address) for peer in peers), len(stale))]


def _scale_down(t):
    joined = [name for name in t.leaving if name in t.cluster or name in t.slots]
    if joined:
        return SCALE_DOWN, ["members beyond the requested %d are still in the cluster: %s" % (
            len(t.desired), ", ".join(joined))]
    return None


def _scale_up(t):
    outside = [name for name in t.desired if name not in t.cluster]
    if outside:
        return SCALE_UP, ["members not in the cluster yet: %s" % ", ".join(outside)]
    return None


def _unbalanced(t):
    reasons = []
    masters = [name for name in t.masters() if name in t.desired]
    if len(masters) != t.shape.masters:
        reasons.append("%d masters hold slots, %d requested" % (len(masters), t.shape.masters))
    counts = dict((name, len(t.slots.get(name, []))) for name in masters)
    if not allocation.is_balanced(counts, masters):
        reasons.append("slots are not spread evenly: %s" % ", ".join(
            "%s %d" % (name, counts[name]) for name in masters))
    for master in masters:
        have = len(t.replicas_of(master))
        if have != t.shape.replicas:
            reasons.append("%s has %d replica(s), %d requested" % (master, have, t.shape.replicas))
    for name in stale_replication(t):
        reasons.append("%s replicates from %s, but its master %s is at %s" % (
            name, t.states[name].replication.get("master_host"), t.master_of[name],
            t.member[t.master_of[name]].host))
    spare = [name for name in t.desired if name not in masters and name not in t.master_of]
    if spare:
        reasons.append("members that are neither master with slots nor replica: %s" % ", ".join(spare))
    return (UNBALANCED, reasons) if reasons else None


def stale_replication(t):
    """Replicas pulling from an address their master no longer has (Redis keeps it when a move came by gossip)."""
    stale = []
    for name in t.desired:
        master = t.master_of.get(name)
        host = t.states[name].replication.get("master_host")
        if master and host and host != t.member[master].host:
            stale.append(name)
    return stale
