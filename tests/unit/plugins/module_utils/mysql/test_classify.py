from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.mysql import classify as c


@pytest.mark.parametrize("name, state, primary", [
    ("empty", c.EMPTY, "mysql-0"),
    ("complete", c.COMPLETE, "mysql-0"),
    ("scale_up", c.SCALE_UP, "mysql-0"),
    ("scale_up_purged", c.SCALE_UP, "mysql-0"),
    ("replica_broken", c.REPLICA_BROKEN, "mysql-0"),
    ("primary_moved", c.PRIMARY_MOVED, "mysql-1"),
    ("primary_restarted", c.PRIMARY_MOVED, "mysql-1"),
    ("diverged", c.DIVERGED, "mysql-0"),
    ("foreign", c.FOREIGN, "mysql-0"),
])
def test_each_captured_set_gets_its_state_and_primary(server_set, name, state, primary):
    members, states, _raw = server_set(name)
    topology = c.classify(members, states)
    assert (topology.state, topology.primary.name) == (state, primary)


def test_complete_set_has_every_replica_ok(server_set):
    topology = c.classify(*server_set("complete")[:2])
    assert topology.verdicts == {"mysql-1": c.OK, "mysql-2": c.OK}


def test_empty_set_takes_the_requested_primary(server_set):
    members, states, _raw = server_set("empty")
    assert c.classify(members, states, requested=2).primary.name == "mysql-2"


def test_broken_replicas_name_the_servers_own_error(server_set):
    topology = c.classify(*server_set("replica_broken")[:2])
    assert topology.verdicts == {"mysql-1": c.BROKEN, "mysql-2": c.BROKEN}
    assert "1045" in topology.reasons["mysql-1"] and "Access denied" in topology.reasons["mysql-1"]
    assert topology.reasons["mysql-2"].startswith("IO thread No, SQL thread No")


def test_diverged_replica_names_the_transaction_the_primary_lacks(server_set):
    topology = c.classify(*server_set("diverged")[:2])
    assert topology.verdicts["mysql-2"] == c.DIVERGED
    assert "0-102-" in topology.reasons["mysql-2"]  # written under mysql-2's own server_id
    assert topology.verdicts["mysql-1"] == c.OK


def test_foreign_source_is_named(server_set):
    topology = c.classify(*server_set("foreign")[:2])
    assert "127.0.0.1:7703" in topology.reasons["mysql-2"]


def test_restarted_primary_is_found_through_its_replicas(server_set):
    members, states, _raw = server_set("primary_restarted")
    assert all(s.read_only for s in states.values())
    assert c.classify(members, states).primary.name == "mysql-1"


def test_two_writable_servers_are_refused(server_set):
    members, states, _raw = server_set("complete")
    states["mysql-2"].read_only = False
    with pytest.raises(c.Refused, match="mysql-0, mysql-2 are all writable"):
        c.classify(members, states)


def test_moved_primary_with_label_moved_is_complete(server_set):
    members, states, _raw = server_set("primary_moved", label=1)
    assert c.classify(members, states).state == c.COMPLETE


PRIMARY = "3e11fa47-71ca-11e1-9e33-c80aa9429562"
REPLICA_OWN = "bbbbbbbb-1111-2222-3333-444444444444"


def test_mysql_set_is_classified_from_gtid_executed_and_replica_status(mysql_set):
    members, states = mysql_set({
        0: dict(executed=PRIMARY + ":1-120", purged=PRIMARY + ":1-100", read_only=False),
        1: dict(executed=PRIMARY + ":1-120", source="mysql-0.mysql:3306"),
        2: dict(executed=""),
        3: dict(executed=PRIMARY + ":1-120,\n" + REPLICA_OWN + ":1-2", source="mysql-0.mysql:3306"),
    })
    topology = c.classify(members, states)
    assert topology.primary.name == "mysql-0" and topology.state == c.DIVERGED
    assert topology.verdicts == {"mysql-1": c.OK, "mysql-2": c.NEW, "mysql-3": c.DIVERGED}
    assert states["mysql-2"].empty and not states["mysql-2"].covered_by(states["mysql-0"])
    assert REPLICA_OWN + ":1-2" in topology.reasons["mysql-3"]
