from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import Deadline
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import bootstrap
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import classify as c
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.apply import Executor
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import (
    ApplyError,
    MemberError,
    ReplyError,
)


def executor(cluster, transport, name, shape, clock, answer=None, seconds=30):
    members, states, raw = cluster(name)
    topology = c.classify(members, states, shape).topology
    fake = transport(raw, answer)
    return Executor(fake, topology, deadline=Deadline(seconds, clock), sleep=clock.sleep), fake


def test_a_meet_sends_every_peer_in_one_round_trip_at_its_current_address(cluster, transport, clock):
    run, fake = executor(cluster, transport, "scale_up", c.Shape(4, 1), clock,
                         answer=lambda member, command: "OK" if command[:2] == ["CLUSTER", "MEET"] else NotImplemented)
    peers = [m for m in run.t.members if m.name in ("redis-0", "redis-1")]
    run.run([{"action": "meet", "member": "redis-6", "peers": ["redis-0", "redis-1"]}])
    assert fake.calls == [("redis-6", [["CLUSTER", "MEET", p.host, p.port] for p in peers])]


def test_a_wait_polls_until_the_deadline_and_says_what_was_missing(cluster, transport, clock):
    run, _fake = executor(cluster, transport, "complete", c.Shape(3, 1), clock, seconds=2)
    run.poll = 0.25
    checks = []
    with pytest.raises(ApplyError) as failed:
        run.wait("redis-3 to know its master", lambda: checks.append(clock.now) or "redis-3 does not know redis-0 yet")
    assert str(failed.value).endswith("not reached within 2 s: redis-3 does not know redis-0 yet")
    assert checks == [1000.0 + 0.25 * i for i in range(9)]  # every poll interval, the last at the deadline


def test_a_failed_run_puts_the_node_timeout_back(cluster, transport, clock):
    def answer(member, command):
        if command[:2] == ["CONFIG", "GET"]:
            return {"cluster-node-timeout": "5000"}
        if command[:2] == ["CONFIG", "SET"]:
            return "OK"
        if command[:2] == ["CLUSTER", "MEET"]:
            return ReplyError("ERR Invalid node address specified")
        return NotImplemented

    run, fake = executor(cluster, transport, "empty", c.Shape(3, 1), clock, answer)
    with pytest.raises(ApplyError):
        run.run([{"action": "lower_node_timeout", "members": ["redis-0"], "milliseconds": 500},
                 {"action": "meet", "member": "redis-0", "peers": ["redis-1"]}])
    assert fake.sent(["CONFIG", "SET"]) == [("redis-0", ["CONFIG", "SET", "cluster-node-timeout", 500]),
                                            ("redis-0", ["CONFIG", "SET", "cluster-node-timeout", "5000"])]


def test_a_formed_cluster_is_only_checked_and_nothing_changes(cluster, transport, clock):
    members, _states, raw = cluster("complete")
    fake = transport(raw)
    result, classification = bootstrap.run(fake, members, c.Shape(3, 1), clock=clock, sleep=clock.sleep)
    assert (classification.state, result["changed"]) == (c.COMPLETE, False)
    assert [a["action"] for a in result["plan"]] == ["wait_healthy"]
    reads = (["CLUSTER", "MYID"], ["CLUSTER", "INFO"], ["CLUSTER", "NODES"], ["DBSIZE"], ["INFO", "replication"])
    assert all(command in reads for _name, commands in fake.calls for command in commands)
    # Healthy when observed: one round trip per member, no second look for the wait or the report.
    assert len(fake.calls) == len(members)
    assert result["topology"] and (result["slots_moved"], result["keys_moved"]) == (0, 0)


def test_a_formed_cluster_seen_unhealthy_is_waited_for(cluster, transport, clock):
    members, _states, raw = cluster("complete")
    info = raw["replies"]["redis-0"]["cluster_info"]
    raw["replies"]["redis-0"]["cluster_info"] = info.replace("cluster_state:ok", "cluster_state:fail")
    fake = transport(raw)
    with pytest.raises(ApplyError) as failed:
        bootstrap.run(fake, members, c.Shape(3, 1), timeout=5, clock=clock, sleep=clock.sleep)
    assert "redis-0 cluster_state:fail" in str(failed.value)
    assert len(fake.calls) > len(members)  # polled again after the observe


def test_check_mode_plans_without_sending_a_change(cluster, transport, clock):
    members, _states, raw = cluster("empty")
    fake = transport(raw)
    result, _classification = bootstrap.run(fake, members, c.Shape(3, 1), check_mode=True, clock=clock)
    assert result["changed"] and result["plan"][0]["action"] == "lower_node_timeout"
    assert len(fake.calls) == len(members)  # the observe round trips only


LOADING = ReplyError("LOADING Redis is loading the dataset in memory")


def loading_on(name):
    """Answers LOADING on ``name`` to every CLUSTER INFO (what the retrying transport gives back at the deadline)."""
    return lambda member, command: LOADING if member.name == name and command == ["CLUSTER", "INFO"] else NotImplemented


def test_a_member_loading_past_the_deadline_fails_the_wait_naming_it_and_its_raw_reply(cluster, transport, clock):
    run, _fake = executor(cluster, transport, "complete", c.Shape(3, 1), clock, loading_on("redis-4"), seconds=2)
    members = [m.name for m in run.t.members]
    with pytest.raises(ApplyError) as failed:
        run.run([{"action": "wait_healthy", "members": members}])
    message = str(failed.value)
    assert "not reached within 2 s" in message and "redis-4: CLUSTER INFO on " in message
    assert "answered: LOADING Redis is loading the dataset in memory (transient)" in message


def test_an_error_reply_to_a_read_is_a_member_error_not_a_bare_reply(cluster, transport, clock):
    run, _fake = executor(cluster, transport, "complete", c.Shape(3, 1), clock, loading_on("redis-1"))
    with pytest.raises(MemberError) as failed:
        run.cluster_ok("redis-1")
    assert failed.value.member == "redis-1" and failed.value.kind == "transient"
    assert "LOADING Redis is loading" in failed.value.detail and run.member("redis-1").address in failed.value.detail


def forgetting(raw, name, other):
    """Answers ``name``'s CLUSTER NODES and INFO without ``other`` (a handshake the server dropped), MEET with OK."""
    other_id = raw["replies"][other]["myid"]
    lines = [line for line in raw["replies"][name]["cluster_nodes"].splitlines() if not line.startswith(other_id)]
    nodes = "\n".join(lines)
    info = raw["replies"][name]["cluster_info"].replace("cluster_known_nodes:%d" % (len(lines) + 1),
                                                        "cluster_known_nodes:%d" % len(lines))

    def answer(member, command):
        if command[:2] == ["CLUSTER", "MEET"]:
            return "OK"
        if member.name == name and command == ["CLUSTER", "NODES"]:
            return nodes
        if member.name == name and command == ["CLUSTER", "INFO"]:
            return info
        return NotImplemented
    return answer


def test_a_replica_that_never_learns_its_master_is_met_with_it_again_every_few_seconds(cluster, transport, clock):
    _members, _states, raw = cluster("complete")
    run, fake = executor(cluster, transport, "complete", c.Shape(3, 1), clock, forgetting(raw, "redis-4", "redis-0"),
                         seconds=5)
    run.poll = 0.25
    with pytest.raises(ApplyError) as failed:
        run.run([{"action": "replicate", "member": "redis-4", "master": "redis-0"}])
    assert "redis-4 does not know redis-0 yet" in str(failed.value)
    master = run.member("redis-0")
    # Not at once (the handshake may still be under way), then every REMEET_AFTER seconds until the deadline.
    assert fake.sent(["CLUSTER", "MEET"]) == [("redis-4", ["CLUSTER", "MEET", master.host, master.port])] * 2
    assert fake.sent(["CLUSTER", "REPLICATE"]) == []


def test_the_wait_for_health_meets_again_a_member_missing_from_another_members_view(cluster, transport, clock):
    _members, _states, raw = cluster("complete")
    run, fake = executor(cluster, transport, "complete", c.Shape(3, 1), clock, forgetting(raw, "redis-2", "redis-5"),
                         seconds=3)
    run.poll = 0.5
    run.met[frozenset(("redis-2", "redis-5"))] = clock() - 10  # this run met them long ago
    with pytest.raises(ApplyError) as failed:
        run.run([{"action": "wait_healthy", "members": [m.name for m in run.t.members]}])
    assert "redis-2 knows 5 nodes, expected 6" in str(failed.value)
    peer = run.member("redis-5")
    # At the first look (their last MEET is old), then REMEET_AFTER later; nobody else meets anyone.
    assert fake.sent(["CLUSTER", "MEET"]) == [("redis-2", ["CLUSTER", "MEET", peer.host, peer.port])] * 2
