from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.allocation import (
    allocate_slots,
    assign_replicas,
    choose_masters,
    even_targets,
    is_balanced,
)
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.replies import SLOTS


def test_slots_are_split_evenly_and_contiguously_when_nothing_is_held():
    adds, moves = allocate_slots({}, ["a", "b", "c"])
    assert moves == []
    assert [(adds[m][0], adds[m][-1], len(adds[m])) for m in "abc"] == [
        (0, 5461, 5462), (5462, 10922, 5461), (10923, 16383, 5461)]


def test_every_master_count_gets_all_slots_within_one_of_each_other():
    for count in (1, 2, 3, 5, 7, 16, 100):
        masters = ["m%d" % i for i in range(count)]
        adds, _moves = allocate_slots({}, masters)
        sizes = [len(adds[m]) for m in masters]
        assert sum(sizes) == SLOTS and max(sizes) - min(sizes) <= 1
        assert is_balanced(dict((m, len(adds[m])) for m in masters), masters)


def test_a_new_master_gets_a_quarter_taken_from_the_three_others():
    owners = {"a": list(range(5462)), "b": list(range(5462, 10923)), "c": list(range(10923, 16384))}
    adds, moves = allocate_slots(owners, ["a", "b", "c", "d"])
    assert adds == {}
    assert [(source, target) for source, target, _slots in moves] == [("a", "d"), ("b", "d"), ("c", "d")]
    assert sum(len(slots) for _s, _t, slots in moves) == 4096
    after = dict((name, len(slots)) for name, slots in owners.items())
    for source, _target, slots in moves:
        after[source] -= len(slots)
    assert sorted(after.values()) == [4096, 4096, 4096]


def test_a_leaving_master_gives_all_its_slots_away():
    owners = dict((m, list(range(i * 4096, (i + 1) * 4096))) for i, m in enumerate("abcd"))
    adds, moves = allocate_slots(owners, ["a", "b", "c"])
    assert adds == {} and all(source == "d" for source, _t, _s in moves)
    assert sum(len(slots) for _s, _t, slots in moves) == 4096
    assert even_targets({"a": 4096, "b": 4096, "c": 4096}, ["a", "b", "c"]) == {"a": 5462, "b": 5461, "c": 5461}


def test_unassigned_slots_are_added_before_any_slot_is_moved():
    owners = {"a": list(range(5461)), "b": list(range(5461, 10923))}
    adds, moves = allocate_slots(owners, ["a", "b", "c"])
    assert moves == [] and list(adds) == ["c"] and adds["c"] == list(range(10923, 16384))


def test_masters_spread_over_kubernetes_nodes():
    node_of = {"r-0": "n1", "r-1": "n1", "r-2": "n2", "r-3": "n2", "r-4": "n3", "r-5": "n3"}
    assert choose_masters([], ["r-%d" % i for i in range(6)], 3, node_of) == ["r-0", "r-2", "r-4"]
    # masters that hold slots stay masters
    assert choose_masters(["r-1"], ["r-0", "r-2", "r-3", "r-4"], 2, node_of)[0] == "r-1"


def test_replicas_go_to_other_nodes_than_their_master():
    node_of = {"r-0": "n1", "r-1": "n2", "r-2": "n3", "r-3": "n1", "r-4": "n2", "r-5": "n3"}
    result = assign_replicas(["r-0", "r-1", "r-2"], ["r-3", "r-4", "r-5"], 1, node_of)
    assert sorted(result.values()) == ["r-0", "r-1", "r-2"]
    assert all(node_of[replica] != node_of[master] for replica, master in result.items())


def test_a_replica_shares_its_masters_node_only_when_nothing_else_is_possible():
    node_of = {"m": "n1", "x": "n1", "y": "n1"}
    assert assign_replicas(["m"], ["x", "y"], 2, node_of) == {"x": "m", "y": "m"}


def test_current_replicas_that_fit_are_kept():
    node_of = {"a": "n1", "b": "n2", "c": "n3", "d": "n1", "e": "n2", "f": "n3"}
    current = {"d": "b", "e": "c", "f": "a"}
    assert assign_replicas(["a", "b", "c"], ["d", "e", "f"], 1, node_of, current) == current


def test_without_nodes_known_replicas_follow_member_order():
    result = assign_replicas(["m0", "m1", "m2"], ["r0", "r1", "r2"], 1, {})
    assert result == {"r0": "m0", "r1": "m1", "r2": "m2"}
