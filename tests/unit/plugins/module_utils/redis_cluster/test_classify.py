from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import classify as c
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.observe import MemberState


def state_of(cluster, name, shape):
    members, states, _raw = cluster(name)
    return c.classify(members, states, shape)


def test_fresh_servers_are_empty(cluster):
    found = state_of(cluster, "empty", c.Shape(3, 1))
    assert found.state == c.EMPTY and not found.refused


def test_the_cluster_the_bootstrap_made_is_complete(cluster):
    found = state_of(cluster, "complete", c.Shape(3, 1))
    assert found.state == c.COMPLETE
    assert found.topology.cluster == ["redis-%d" % i for i in range(6)]


def test_fresh_members_next_to_a_formed_cluster_are_a_scale_up(cluster):
    found = state_of(cluster, "scale_up", c.Shape(4, 1))
    assert found.state == c.SCALE_UP
    assert "redis-6, redis-7" in found.reasons[0]


def test_members_beyond_the_requested_size_are_a_scale_down(cluster):
    found = state_of(cluster, "four_masters", c.Shape(3, 1))
    assert found.state == c.SCALE_DOWN
    assert found.topology.leaving == ["redis-6", "redis-7"]


def test_members_known_at_old_addresses_are_moved(cluster):
    found = state_of(cluster, "moved", c.Shape(3, 1))
    assert found.state == c.MOVED
    stale = found.topology.stale_addresses()
    assert sorted(stale) == ["redis-%d" % i for i in range(6)]
    assert all(len(peers) == 5 for peers in stale.values())


def test_slots_held_by_members_that_never_met_are_partial(cluster):
    found = state_of(cluster, "partial", c.Shape(3, 1))
    assert found.state == c.PARTIAL
    assert "10923 of 16384 slots are held" in found.reasons


def test_a_member_that_knows_another_cluster_is_foreign(cluster):
    found = state_of(cluster, "foreign", c.Shape(4, 1))
    assert found.state == c.FOREIGN and found.refused
    assert found.reasons[0].startswith("redis-6 knows node(s) that are none of this StatefulSet's members")


def open_towards_a_stranger(cluster):
    """The open_slot capture, with redis-0's slot 0 migrating to a node id that is none of ours."""
    members, states, _raw = cluster("open_slot")
    state = states["redis-0"]
    stranger = "f" * 40
    me = state.myself
    me.migrating = dict((slot, stranger) for slot in me.migrating)
    return members, states


def test_an_open_slot_between_our_members_is_unfinished_and_counted_at_its_target(cluster):
    found = state_of(cluster, "open_slot", c.Shape(3, 1))
    assert found.state == c.UNFINISHED and not found.refused
    assert "slots 0 left open from redis-0 to redis-1" in found.reasons[0]
    assert found.topology.open_moves == [("redis-0", "redis-1", [0])]
    assert 0 in found.topology.slots["redis-1"] and 0 not in found.topology.slots["redis-0"]


def test_a_slot_open_towards_a_node_that_is_not_ours_is_inconsistent(cluster):
    members, states = open_towards_a_stranger(cluster)
    found = c.classify(members, states, c.Shape(3, 1))
    assert found.state == c.INCONSISTENT and found.refused
    assert any("redis-0 has slots open towards nodes that are not this StatefulSet's members (migrating: 0"
               in reason for reason in found.reasons)


def test_keys_on_a_master_without_slots_are_inconsistent(cluster):
    members, states, _raw = cluster("scale_up")
    fresh = states["redis-6"]
    states["redis-6"] = MemberState(fresh.member, fresh.node_id, fresh.cluster_info, fresh.nodes, 12,
                                    fresh.replication)
    found = c.classify(members, states, c.Shape(4, 1))
    assert found.state == c.INCONSISTENT
    assert "redis-6 is a master without slots but holds 12 key(s)" in found.reasons


def test_a_slot_claimed_by_two_members_is_inconsistent(cluster):
    members, states, raw = cluster("partial")
    # redis-2 also claims slot 0 (as if two earlier runs had disagreed)
    text = raw["replies"]["redis-2"]["cluster_nodes"].rstrip("\n") + " 0\n"
    r = raw["replies"]["redis-2"]
    states["redis-2"] = MemberState.from_replies(states["redis-2"].member, r["myid"], r["cluster_info"], text,
                                                 r["dbsize"], r["replication"])
    found = c.classify(members, states, c.Shape(3, 1))
    assert found.state == c.INCONSISTENT
    assert any(reason.startswith("slots 0 are claimed by more than one member") for reason in found.reasons)


@pytest.mark.parametrize("shape, reason", [
    (c.Shape(2, 2), "3 masters hold slots, 2 requested"),
    (c.Shape(6, 0), "3 masters hold slots, 6 requested"),
])
def test_a_formed_cluster_of_another_shape_is_unbalanced(cluster, shape, reason):
    found = state_of(cluster, "complete", shape)
    assert found.state == c.UNBALANCED
    assert reason in found.reasons


def test_states_are_tested_in_order_refusals_first(cluster):
    # a slot open towards a stranger in a cluster that also has a new member: refused, not scaled
    members, states = open_towards_a_stranger(cluster)
    _m, more, _r = cluster("scale_up")
    members = members + [m for m in _m if m.name in ("redis-6", "redis-7")]
    states = dict(states, **dict((k, copy.copy(v)) for k, v in more.items() if k in ("redis-6", "redis-7")))
    assert c.classify(members, states, c.Shape(4, 1)).state == c.INCONSISTENT
