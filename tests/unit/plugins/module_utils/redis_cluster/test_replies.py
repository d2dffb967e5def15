from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.replies import (
    format_ranges,
    parse_cluster_nodes,
    parse_info,
    parse_ranges,
    slot_ranges,
)


def test_cluster_nodes_of_a_formed_cluster_give_roles_masters_and_slots(cluster):
    _members, _states, raw = cluster("complete")
    lines = parse_cluster_nodes(raw["replies"]["redis-0"]["cluster_nodes"])
    assert len(lines) == 6
    me = [line for line in lines if line.myself]
    assert len(me) == 1 and me[0].is_master and me[0].slots == list(range(5462))
    masters = [line for line in lines if line.is_master]
    replicas = [line for line in lines if line.is_replica]
    assert len(masters) == 3 and len(replicas) == 3
    assert sorted(len(line.slots) for line in masters) == [5461, 5461, 5462]
    master_ids = set(line.node_id for line in masters)
    assert all(line.master_id in master_ids for line in replicas)
    assert all(line.host == "127.0.0.1" and line.cport == line.port + 10000 for line in lines)


def test_a_fresh_server_knows_only_itself_and_has_no_address_yet(cluster):
    _members, _states, raw = cluster("empty")
    (line,) = parse_cluster_nodes(raw["replies"]["redis-0"]["cluster_nodes"])
    assert line.myself and line.is_master and line.slots == [] and line.config_epoch == 0
    assert line.address is None  # ":7600@17600": a server learns its own IP from its peers


def test_open_slots_are_read_as_migrating_and_importing(cluster):
    _members, _states, raw = cluster("open_slot")
    source = [line for line in parse_cluster_nodes(raw["replies"]["redis-0"]["cluster_nodes"]) if line.myself][0]
    target = [line for line in parse_cluster_nodes(raw["replies"]["redis-1"]["cluster_nodes"]) if line.myself][0]
    assert list(source.migrating) == [0] and source.migrating[0] == target.node_id
    assert list(target.importing) == [0] and target.importing[0] == source.node_id
    assert source.slots[0] == 0  # the slot stays the source's until SETSLOT NODE


def test_stale_peers_after_a_restart_are_disconnected_at_their_old_address(cluster):
    _members, _states, raw = cluster("moved")
    lines = parse_cluster_nodes(raw["replies"]["redis-0"]["cluster_nodes"])
    me = [line for line in lines if line.myself][0]
    others = [line for line in lines if not line.myself]
    assert me.port == 7620
    assert all(line.link_state == "disconnected" and line.port < 7620 for line in others)


def test_hostnames_and_ipv6_addresses_are_split_correctly():
    text = ("e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca [2001:db8::1]:6379@16379,redis-0.redis.ns.svc "
            "myself,master - 0 0 1 connected 0-2 5\n"
            "67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 10.0.0.2:6379@16379 slave "
            "e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238316232 1 connected\n")
    first, second = parse_cluster_nodes(text)
    assert first.host == "[2001:db8::1]" and first.port == 6379 and first.hostname == "redis-0.redis.ns.svc"
    assert first.slots == [0, 1, 2, 5]
    assert second.master_id == first.node_id and second.address == "10.0.0.2:6379"


def test_a_truncated_line_is_an_error_not_a_guess():
    with pytest.raises(ValueError, match="expected at least 8"):
        parse_cluster_nodes("e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 10.0.0.1:6379@16379 master -")


def test_info_replies_become_fields(cluster):
    _members, _states, raw = cluster("complete")
    info = parse_info(raw["replies"]["redis-0"]["cluster_info"])
    assert info["cluster_state"] == "ok" and info["cluster_slots_assigned"] == "16384"
    replication = parse_info(raw["replies"]["redis-3"]["replication"])
    assert replication["role"] == "slave" and replication["master_link_status"] == "up"


def test_slot_ranges_round_trip():
    slots = [0, 1, 2, 7, 9, 10]
    assert slot_ranges(slots) == [(0, 2), (7, 7), (9, 10)]
    assert format_ranges(slots) == "0-2,7,9-10"
    assert parse_ranges("0-2,7,9-10") == slots
    assert parse_ranges("") == []
