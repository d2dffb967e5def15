"""The bootstrap's executor against real redis-server processes on 127.0.0.1 (no Kubernetes).

The direct transport with an explicit address list: scale up and down with keys, heal
after every member restarted at a new address, refuse a foreign member, report a wrong
password. The same code paths the module runs on the test bed, minus pod discovery.
"""

import sys
import time

import pytest
import redis

from testbed.testing import collections_path
from tests.support.redis_servers import Servers

sys.path.insert(0, str(collections_path()))

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import bootstrap  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.classify import Shape  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.direct import DirectTransport  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import MemberError  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.transport import Member  # noqa: E402

PASSWORD = "s3cret"
BASE = 7700


def members_at(ports):
    return [Member("redis-%d" % i, "127.0.0.1", port, k8s_node="node-%d" % (i % 3 + 1), ordinal=i)
            for i, port in enumerate(ports)]


def converge(ports, masters, replicas, password=PASSWORD):
    transport = DirectTransport(password=password)
    try:
        return bootstrap.run(transport, members_at(ports), Shape(masters, replicas), password=password, timeout=90)[0]
    finally:
        transport.close()


def cluster_client(port):
    return redis.RedisCluster(host="127.0.0.1", port=port, password=PASSWORD, decode_responses=True)


def write_keys(port, count):
    client = cluster_client(port)
    for i in range(count):
        client.set("key:%d" % i, "value-%d" % i)
    client.close()


def missing_keys(port, count):
    client = cluster_client(port)
    missing = [i for i in range(count) if client.get("key:%d" % i) != "value-%d" % i]
    client.close()
    return missing


@pytest.fixture
def servers():
    with Servers(8, BASE, password=PASSWORD) as started:
        started.wait_writable()
        yield started


def test_create_twice_then_scale_up_and_down_keeps_every_key(servers):
    ports = servers.ports
    first = converge(ports[:6], 3, 1)
    assert first["state"] == "empty" and first["changed"]
    again = converge(ports[:6], 3, 1)
    assert again["state"] == "complete" and not again["changed"]
    write_keys(ports[0], 2000)

    up = converge(ports[:8], 4, 1)
    assert up["state"] == "scale_up" and up["changed"]
    assert up["slots_moved"] == 4096 and up["keys_moved"] > 0
    masters = [row for row in up["topology"] if row["role"] == "master"]
    assert sorted(row["slot_count"] for row in masters) == [4096] * 4
    assert missing_keys(ports[0], 2000) == []

    down = converge(ports[:8], 3, 1)
    assert down["state"] == "scale_down" and down["changed"]
    assert down["slots_moved"] == 4096
    assert [row["member"] for row in down["topology"]] == ["redis-%d" % i for i in range(6)]
    assert missing_keys(ports[0], 2000) == []
    info = redis.Redis(port=ports[0], password=PASSWORD).execute_command("CLUSTER", "INFO")
    assert b"cluster_known_nodes:6" in info
    assert converge(ports[:6], 3, 1)["changed"] is False


def test_a_cluster_whose_members_all_restarted_at_new_addresses_heals(servers):
    ports = servers.ports[:6]
    converge(ports, 3, 1)
    write_keys(ports[0], 500)
    new_ports = servers.restart_elsewhere(50, count=6)
    time.sleep(2.5)
    healed = converge(new_ports, 3, 1)
    assert healed["state"] == "moved"
    assert set(action["action"] for action in healed["plan"]) == {"meet", "wait_healthy"}
    assert missing_keys(new_ports[0], 500) == []
    assert converge(new_ports, 3, 1)["changed"] is False


def test_a_foreign_member_is_refused_and_nothing_changes(servers):
    ports = servers.ports
    converge(ports[:6], 3, 1)
    stranger = redis.Redis(port=ports[7], password=PASSWORD)
    stranger.execute_command("CLUSTER", "MEET", "127.0.0.1", ports[6])  # redis-6 and an outsider
    time.sleep(0.5)
    before = [redis.Redis(port=p, password=PASSWORD).execute_command("CLUSTER", "NODES") for p in ports[:7]]
    result = converge(ports[:7], 3, 1)  # 7 members: redis-6 is to be removed, but it is foreign
    assert result["state"] == "foreign" and result["changed"] is False and result["plan"] == []
    after = [redis.Redis(port=p, password=PASSWORD).execute_command("CLUSTER", "NODES") for p in ports[:7]]
    assert [known_nodes(text) for text in before] == [known_nodes(text) for text in after]


def known_nodes(text):
    """Id, address, flags and master of each line: what a change to the cluster would alter."""
    return sorted(" ".join(line.split()[:4]) for line in text.decode().splitlines())


def test_a_wrong_password_says_so(servers):
    with pytest.raises(MemberError) as failure:
        converge(servers.ports[:6], 3, 1, password="not-it")
    assert failure.value.kind == "auth" and "redis-0" in str(failure.value)
