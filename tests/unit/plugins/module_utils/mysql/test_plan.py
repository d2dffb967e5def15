from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.mysql import classify as c
from ansible_collections.stateful.kube.plugins.module_utils.mysql.plan import Desired, describe, plan


def actions_of(server_set, name, desired=None, label=None):
    members, states, _raw = server_set(name, label)
    return plan(c.classify(members, states, desired.primary if desired else None), desired or Desired())


def kinds(actions):
    return [(a["action"], a["member"]) for a in actions]


def test_empty_set_gets_a_writable_primary_a_user_and_attached_replicas(server_set):
    actions = actions_of(server_set, "empty", label=-1)
    assert kinds(actions) == [("make_writable", "mysql-0"), ("replication_user", "mysql-0"),
                              ("attach", "mysql-1"), ("attach", "mysql-2"), ("label", "mysql-0")]


def test_complete_set_needs_nothing(server_set):
    assert actions_of(server_set, "complete") == []


def test_scale_up_attaches_when_the_binary_logs_are_whole(server_set):
    assert kinds(actions_of(server_set, "scale_up")) == [("attach", "mysql-3")]


def test_scale_up_after_purge_seeds_the_new_replica(server_set):
    actions = actions_of(server_set, "scale_up_purged")
    assert kinds(actions) == [("seed", "mysql-3")]
    assert actions[0]["replaces_data"] is False
    assert "0-100-20" in actions[0]["why"]


def test_broken_replicas_are_reattached_by_gtid(server_set):
    actions = actions_of(server_set, "replica_broken")
    assert kinds(actions) == [("attach", "mysql-1"), ("attach", "mysql-2")]
    assert actions[1]["gtid_slave_pos"] == "0-100-16"


def test_broken_replica_past_the_purged_logs_is_refused_without_allow_reseed(server_set):
    members, states, _raw = server_set("replica_broken")
    states["mysql-0"].purged = states["mysql-0"].history  # as if the primary purged everything
    topology = c.classify(members, states)
    with pytest.raises(c.Refused, match=r"mysql-2 its position \(0-100-16\) is older .*allow_reseed: true"):
        plan(topology, Desired())
    seeded = plan(topology, Desired(allow_reseed=True))
    # mysql-1 has everything the primary purged (it only lost its connection): attached
    assert kinds(seeded) == [("attach", "mysql-1"), ("seed", "mysql-2")]
    assert seeded[1]["replaces_data"]


def test_moved_primary_only_moves_the_label(server_set):
    assert kinds(actions_of(server_set, "primary_moved")) == [("label", "mysql-1")]


def test_restarted_primary_is_made_writable_again(server_set):
    assert kinds(actions_of(server_set, "primary_restarted")) == [("make_writable", "mysql-1")]


@pytest.mark.parametrize("name, message", [
    ("diverged", r"diverged: mysql-2 has transactions 0-102-\d+ that the primary mysql-0 lacks.*Nothing was changed"),
    ("foreign", r"foreign: mysql-2 replicates from 127.0.0.1:7703.*Nothing was changed"),
])
def test_diverged_and_foreign_sets_are_refused(server_set, name, message):
    with pytest.raises(c.Refused, match=message):
        actions_of(server_set, name)


def test_diverged_replica_is_reseeded_with_allow_reseed(server_set):
    actions = actions_of(server_set, "diverged", Desired(allow_reseed=True))
    assert kinds(actions) == [("seed", "mysql-2")]
    assert actions[0]["source"] == "mysql-0" and actions[0]["replaces_data"] is True
    assert "has transactions 0-102-" in actions[0]["why"] and "allow_reseed" in actions[0]["why"]


def test_foreign_set_is_refused_even_with_allow_reseed(server_set):
    with pytest.raises(c.Refused, match="foreign: mysql-2 replicates from"):
        actions_of(server_set, "foreign", Desired(allow_reseed=True))


def test_switchover_is_planned_to_a_running_replica(server_set):
    actions = actions_of(server_set, "complete", Desired(primary=1))
    assert kinds(actions) == [("switchover", "mysql-1")]
    assert actions[0]["old"] == "mysql-0" and actions[0]["others"] == ["mysql-2"]
    assert "switchover mysql-1 (from mysql-0" in describe(actions)[0]


def test_switchover_to_a_broken_replica_is_refused(server_set):
    with pytest.raises(c.Refused, match="cannot switch over to mysql-1: it IO thread Connecting"):
        actions_of(server_set, "replica_broken", Desired(primary=1))


def test_switchover_back_after_moving(server_set):
    assert kinds(actions_of(server_set, "primary_moved", Desired(primary=0), label=1)) == [("switchover", "mysql-0")]


def test_rotation_sets_the_password_and_repoints_every_replica(server_set):
    actions = actions_of(server_set, "complete", Desired(rotate_replication_password=True))
    assert kinds(actions) == [("replication_user", "mysql-0"), ("attach", "mysql-1"), ("attach", "mysql-2")]


def test_root_rotation_comes_after_every_attach_and_before_a_switchover(server_set):
    desired = Desired(primary=1, rotate_replication_password=True, rotate_root_password=True)
    actions = actions_of(server_set, "complete", desired)
    assert kinds(actions) == [("replication_user", "mysql-0"), ("attach", "mysql-1"), ("attach", "mysql-2"),
                              ("root_password", "mysql-0"), ("switchover", "mysql-1")]


def test_re_created_pods_without_labels_get_them_back(server_set):
    members, states, _raw = server_set("complete")
    for member in members:
        member.role_label, member.primary_label = None, False  # all pods re-created from the template
    topology = c.classify(members, states)
    assert topology.state == c.PRIMARY_MOVED and topology.primary.name == "mysql-0"
    actions = plan(topology, Desired())
    assert kinds(actions) == [("label", "mysql-0")]
    assert "mysql-0, mysql-1, mysql-2" in actions[0]["why"]


PRIMARY = "3e11fa47-71ca-11e1-9e33-c80aa9429562"


def mysql_primary(purged):
    return dict(executed=PRIMARY + ":1-120", purged=purged, read_only=False)


def test_mysql_new_replica_is_seeded_when_the_primary_purged_what_it_lacks(mysql_set):
    members, states = mysql_set({0: mysql_primary(PRIMARY + ":1-100"),
                                 1: dict(executed=PRIMARY + ":1-120", source="mysql-0.mysql:3306"),
                                 2: dict(executed="")})
    actions = plan(c.classify(members, states), Desired())
    assert kinds(actions) == [("seed", "mysql-2")]
    assert actions[0]["source"] == "mysql-0" and actions[0]["replaces_data"] is False
    assert PRIMARY + ":1-100" in actions[0]["why"]


def test_mysql_new_replica_is_attached_while_the_primary_has_every_binary_log(mysql_set):
    members, states = mysql_set({0: mysql_primary(""), 1: dict(executed="")})
    assert kinds(plan(c.classify(members, states), Desired())) == [("attach", "mysql-1")]


def test_mysql_replica_with_data_past_the_purged_logs_is_only_seeded_with_allow_reseed(mysql_set):
    members, states = mysql_set({
        0: mysql_primary(PRIMARY + ":1-100"),
        1: dict(executed=PRIMARY + ":1-50", source="mysql-0.mysql:3306", io="No", io_errno=13114,
                io_error="Got fatal error 1236 from source when reading data from binary log: 'Cannot replicate "
                         "because the source purged required binary logs.'"),
    })
    topology = c.classify(members, states)
    assert topology.state == c.REPLICA_BROKEN
    with pytest.raises(c.Refused, match=r"mysql-1 its position \(%s:1-50\) is older .*allow_reseed: true" % PRIMARY):
        plan(topology, Desired())
    actions = plan(topology, Desired(allow_reseed=True))
    assert kinds(actions) == [("seed", "mysql-1")] and actions[0]["replaces_data"] is True
