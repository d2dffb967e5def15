# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Who holds which slots, and who replicates whom: pure functions, no I/O.

Slots: 16384 spread evenly (every master within one slot of 16384 / masters), moving as
few slots as possible. Placement: masters spread over Kubernetes nodes, each replica on a
node other than its master's wherever the pods allow it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.replies import SLOTS


def even_targets(counts, masters):
    """``{master: slots it should hold}``; ``counts`` is what each holds now (fewest moves win ties)."""
    if not masters:
        return {}
    base, extra = divmod(SLOTS, len(masters))
    # The masters holding the most already keep the one extra slot: fewer moves.
    ranked = sorted(masters, key=lambda name: (-counts.get(name, 0), masters.index(name)))
    return dict((name, base + (1 if i < extra else 0)) for i, name in enumerate(ranked))


def is_balanced(counts, masters):
    """Every master within one slot of the even share, and all 16384 slots held."""
    if not masters or sum(counts.get(name, 0) for name in masters) != SLOTS:
        return False
    base = SLOTS // len(masters)
    return all(base <= counts.get(name, 0) <= base + 1 for name in masters)


def allocate_slots(owners, masters):
    """Plan the slots for ``masters`` (ordered) from ``owners`` = ``{name: [slots it holds]}``.

    Returns ``(adds, moves)``: ``adds = {master: [unassigned slots to add]}`` and
    ``moves = [(source, target, [slots])]`` (from owners that are not in ``masters`` or hold
    too many). Unassigned slots are used first: adding costs nothing, moving copies keys.
    """
    held = set()
    for slots in owners.values():
        held.update(slots)
    free = [slot for slot in range(SLOTS) if slot not in held]
    counts = dict((name, len(owners.get(name, []))) for name in masters)
    targets = even_targets(counts, masters)

    surplus = []  # (source, slot): all slots of non-masters, the highest slots of over-full masters
    for name in sorted(owners):
        slots = sorted(owners[name])
        keep = targets.get(name, 0)
        if len(slots) > keep:
            surplus.extend((name, slot) for slot in slots[keep:])

    adds = {}
    moves = []
    for name in masters:
        deficit = targets[name] - counts[name]
        if deficit <= 0:
            continue
        taken, free = free[:deficit], free[deficit:]
        if taken:
            adds[name] = taken
        deficit -= len(taken)
        if deficit:
            given, surplus = surplus[:deficit], surplus[deficit:]
            by_source = {}
            for source, slot in given:
                by_source.setdefault(source, []).append(slot)
            for source in sorted(by_source):
                moves.append((source, name, by_source[source]))
    return adds, moves


def choose_masters(keep, candidates, count, node_of):
    """``keep`` (masters with slots that stay) topped up from ``candidates`` to ``count`` masters.

    New masters go to the Kubernetes nodes with the fewest masters so far, so one node's
    loss takes as few masters as possible. Returns the masters in candidate order.
    """
    chosen = list(keep[:count])
    per_node = {}
    for name in chosen:
        per_node[node_of.get(name)] = per_node.get(node_of.get(name), 0) + 1
    pool = [name for name in candidates if name not in chosen]
    while len(chosen) < count and pool:
        best = min(pool, key=lambda name: (per_node.get(node_of.get(name), 0) if node_of.get(name) else 0,
                                           pool.index(name)))
        pool.remove(best)
        chosen.append(best)
        per_node[node_of.get(best)] = per_node.get(node_of.get(best), 0) + 1
    return chosen


def _apart(a, b, node_of):
    """True when ``a`` and ``b`` are on different Kubernetes nodes, or a node is not known."""
    return node_of.get(a) is None or node_of.get(b) is None or node_of.get(a) != node_of.get(b)


def assign_replicas(masters, candidates, per_master, node_of, current=None):
    """``{replica: master}``: ``per_master`` replicas for each master, placed apart from it where possible.

    ``current`` (``{replica: master}``) is kept where it fits, so a formed cluster is not
    rewired needlessly; the rest is a maximum matching of free replica places to
    candidates on other nodes (augmenting paths), then whatever is left, in order.
    """
    current = current or {}
    result = {}
    places = []
    for master in masters:
        mine = [name for name in candidates if current.get(name) == master]
        mine.sort(key=lambda name: (not _apart(name, master, node_of), candidates.index(name)))
        for name in mine[:per_master]:
            result[name] = master
        places.extend([master] * (per_master - len(mine[:per_master])))
    free = [name for name in candidates if name not in result]

    matched = {}  # candidate -> index of the place it fills

    def augment(place, seen):
        fits = [name for name in free if name not in seen and _apart(name, places[place], node_of)]
        # A free candidate first: paths that shift others are only for when none is left.
        for name in sorted(fits, key=lambda name: name in matched):
            seen.add(name)
            if name not in matched or augment(matched[name], seen):
                matched[name] = place
                return True
        return False

    unfilled = [place for place in range(len(places)) if not augment(place, set())]
    for name, place in matched.items():
        result[name] = places[place]
    leftover = [name for name in free if name not in matched]
    for i, name in enumerate(leftover[:len(unfilled)]):
        result[name] = places[unfilled[i]]
    return result
