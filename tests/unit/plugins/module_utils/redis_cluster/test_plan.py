from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import classify as c
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import Refused
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.plan import (
    changes,
    create_node_timeout_ms,
    plan,
)
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.replies import parse_ranges


def plan_for(cluster, name, shape):
    members, states, _raw = cluster(name)
    return plan(c.classify(members, states, shape))


def of_kind(actions, kind):
    return [action for action in actions if action["action"] == kind]


def test_create_assigns_slots_meets_everyone_once_and_attaches_replicas_on_other_nodes(cluster):
    members, _states, _raw = cluster("empty")
    node_of = dict((m.name, m.k8s_node) for m in members)
    actions = plan_for(cluster, "empty", c.Shape(3, 1))
    assert [a["action"] for a in actions][0] == "lower_node_timeout"
    assert actions[0]["milliseconds"] == 500
    assert [a["action"] for a in actions][-2:] == ["wait_healthy", "restore_node_timeout"]
    assert [a["epoch"] for a in of_kind(actions, "set_config_epoch")] == [1, 2, 3, 4, 5, 6]
    assert [(a["member"], a["slots"]) for a in of_kind(actions, "add_slots")] == [
        ("redis-0", "0-5461"), ("redis-1", "5462-10922"), ("redis-2", "10923-16383")]
    pairs = set()
    for a in of_kind(actions, "meet"):
        pairs.update(frozenset((a["member"], peer)) for peer in a["peers"])
    assert len(pairs) == 15  # each of the 6*5/2 pairs met exactly once
    replicate = dict((a["member"], a["master"]) for a in of_kind(actions, "replicate"))
    assert sorted(replicate.values()) == ["redis-0", "redis-1", "redis-2"]
    assert all(node_of[r] != node_of[m] for r, m in replicate.items())
    assert changes(actions)


def test_a_complete_cluster_only_waits(cluster):
    actions = plan_for(cluster, "complete", c.Shape(3, 1))
    assert [a["action"] for a in actions] == ["wait_healthy"]
    assert not changes(actions)


def test_scale_up_joins_new_members_and_moves_a_quarter_of_the_slots_to_the_new_master(cluster):
    actions = plan_for(cluster, "scale_up", c.Shape(4, 1))
    assert not of_kind(actions, "set_config_epoch") and not of_kind(actions, "add_slots")
    meets = dict((a["member"], a["peers"]) for a in of_kind(actions, "meet"))
    assert sorted(meets) == ["redis-6", "redis-7"]
    assert meets["redis-6"] == ["redis-0", "redis-1", "redis-2", "redis-3", "redis-4", "redis-5", "redis-7"]
    moves = of_kind(actions, "move_slots")
    assert set(a["target"] for a in moves) == {"redis-6"}
    assert sorted(a["source"] for a in moves) == ["redis-0", "redis-1", "redis-2"]
    assert sum(a["count"] for a in moves) == 4096
    assert sum(len(parse_ranges(a["slots"])) for a in moves) == 4096
    assert of_kind(actions, "replicate") == [{"action": "replicate", "member": "redis-7", "master": "redis-6"}]
    assert of_kind(actions, "forget") == []


def test_scale_down_drains_the_extra_master_and_forgets_the_leaving_members(cluster):
    actions = plan_for(cluster, "four_masters", c.Shape(3, 1))
    moves = of_kind(actions, "move_slots")
    assert set(a["source"] for a in moves) == {"redis-3"}  # the master beyond the 3 requested
    assert sum(a["count"] for a in moves) == 4096
    replicate = dict((a["member"], a["master"]) for a in of_kind(actions, "replicate"))
    assert "redis-3" in replicate  # the drained master becomes a replica
    assert [(a["node"], a["on"]) for a in of_kind(actions, "forget")] == [
        ("redis-6", ["redis-%d" % i for i in range(6)]), ("redis-7", ["redis-%d" % i for i in range(6)])]
    wait = of_kind(actions, "wait_healthy")[0]
    assert wait["members"] == ["redis-%d" % i for i in range(6)]
    assert wait["masters"] == ["redis-0", "redis-1", "redis-2"]
    order = [a["action"] for a in actions]
    assert order.index("move_slots") < order.index("replicate") < order.index("forget") < order.index("wait_healthy")


def test_members_at_new_addresses_are_met_again_and_nothing_else_changes(cluster):
    actions = plan_for(cluster, "moved", c.Shape(3, 1))
    assert set(a["action"] for a in actions) == {"meet", "wait_healthy"}
    meets = of_kind(actions, "meet")
    assert len(meets) == 6 and all(len(a["peers"]) == 5 for a in meets)


def test_a_half_created_cluster_is_completed_with_the_missing_slots(cluster):
    actions = plan_for(cluster, "partial", c.Shape(3, 1))
    assert [(a["member"], a["slots"]) for a in of_kind(actions, "add_slots")] == [("redis-2", "10923-16383")]
    assert of_kind(actions, "move_slots") == []
    assert sorted(dict((a["member"], a["master"]) for a in of_kind(actions, "replicate")).values()) == [
        "redis-0", "redis-1", "redis-2"]
    # only the servers that are still fresh get the short node timeout while they join
    assert of_kind(actions, "lower_node_timeout")[0]["members"] == ["redis-2", "redis-3", "redis-4", "redis-5"]


def test_foreign_clusters_get_no_plan(cluster):
    with pytest.raises(Refused):
        plan_for(cluster, "foreign", c.Shape(4, 1))


def test_a_move_an_earlier_run_left_open_is_finished_first(cluster):
    actions = plan_for(cluster, "open_slot", c.Shape(3, 1))
    moves = of_kind(actions, "move_slots")
    assert moves[0] == {"action": "move_slots", "source": "redis-0", "target": "redis-1", "slots": "0", "count": 1}
    assert actions[-1]["action"] == "wait_healthy"


def test_a_shape_that_needs_replicas_turned_into_empty_masters_is_refused(cluster):
    with pytest.raises(Refused, match="6 masters requested but only 3 members can be masters"):
        plan_for(cluster, "complete", c.Shape(6, 0))


def test_fewer_masters_with_more_replicas_drains_one_master(cluster):
    actions = plan_for(cluster, "complete", c.Shape(2, 2))
    moves = of_kind(actions, "move_slots")
    assert set(a["source"] for a in moves) == {"redis-2"} and sum(a["count"] for a in moves) == 5461
    replicate = dict((a["member"], a["master"]) for a in of_kind(actions, "replicate"))
    assert replicate["redis-2"] in ("redis-0", "redis-1")


def test_a_replica_pulling_from_its_masters_old_address_is_pointed_again(cluster):
    members, states, _raw = cluster("complete")
    replica = [name for name, state in states.items() if not state.is_master][0]
    states[replica].replication["master_host"] = "10.0.0.99"
    found = c.classify(members, states, c.Shape(3, 1))
    assert found.state == c.UNBALANCED
    assert any("%s replicates from 10.0.0.99" % replica in reason for reason in found.reasons)
    actions = plan(found)
    assert [a["member"] for a in of_kind(actions, "replicate")] == [replica]


def test_the_short_node_timeout_of_a_creation_grows_with_the_members():
    # Its pings grow with members^2 / timeout: 100 members at 500 ms flood the cluster bus.
    assert [create_node_timeout_ms(n) for n in (6, 25, 30, 100)] == [500, 500, 600, 2000]
