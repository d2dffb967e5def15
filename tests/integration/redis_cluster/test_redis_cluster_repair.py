"""Clusters the bootstrap finds half made or entangled with another cluster, on the test bed."""

import shutil
import subprocess
import sys
import tempfile

import pytest
from redis_helpers import PASSWORD, ROLE_TASK, assert_ok, cluster_nodes, node, pod_ips, pods, task_result, wait_for

from testbed import config
from testbed.testing import collections_path

sys.path.insert(0, str(collections_path()))

from ansible_collections.stateful.kube.plugins.module_utils.k8s import ordinals  # noqa: E402

FOREIGN_PORT = 7799


@pytest.fixture
def foreign_server():
    """A cluster-enabled redis-server on the bridge address, member of no cluster of ours."""
    directory = tempfile.mkdtemp(prefix="redis-foreign-")
    process = subprocess.Popen(["redis-server", "--port", str(FOREIGN_PORT), "--bind", config.BRIDGE_ADDRESS,
                                "--cluster-enabled", "yes", "--dir", directory, "--protected-mode", "no",
                                "--logfile", "redis.log"])
    try:
        wait_for("the foreign server", lambda: node(config.BRIDGE_ADDRESS, None, FOREIGN_PORT).ping(), 20)
        yield "%s:%d" % (config.BRIDGE_ADDRESS, FOREIGN_PORT)
    finally:
        process.kill()
        process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def by_pod(core_v1, namespace):
    return dict((pod, node(ip)) for ip, pod in pod_ips(core_v1, namespace).items())


def third_master(core_v1, namespace, masters):
    """The member the bootstrap must make the next master: the first, in ordinal order, on a
    Kubernetes node that holds none of ``masters`` (the scheduler spreads the six pods over the
    bed's three nodes, so which member that is depends on where each pod landed)."""
    node_of = dict((name, pod.spec.node_name) for name, pod in pods(core_v1, namespace).items())
    candidates = [name for name in ordinals.by_ordinal(node_of, "redis").values() if name not in masters]
    held = set(node_of[name] for name in masters)
    apart = [name for name in candidates if node_of[name] not in held]
    return (apart or candidates)[0]


def test_a_foreign_node_is_refused_and_nothing_changes(role, bootstrap, core_v1, redis_namespace, foreign_server):
    assert_ok(role(redis_namespace, redis_cluster_bootstrap=False))
    members = by_pod(core_v1, redis_namespace)
    host, port = foreign_server.split(":")
    members["redis-1"].execute_command("CLUSTER", "MEET", host, port)
    wait_for("redis-1 to know the foreign node",
             lambda: "handshake" not in members["redis-1"].execute_command("CLUSTER", "NODES")
             and members["redis-1"].execute_command("CLUSTER", "NODES").count("\n") == 2, 30)
    try:
        before = cluster_nodes(core_v1, redis_namespace)
        found = bootstrap(name="redis", namespace=redis_namespace, password=PASSWORD)
        assert found.get("failed") and found["state"] == "foreign" and not found["changed"]
        assert "refused, nothing changed" in found["msg"] and "redis-1 knows node(s)" in found["msg"]
        assert cluster_nodes(core_v1, redis_namespace) == before
    finally:
        # Undo the entanglement for the next test: redis-1 forgets the foreign node.
        foreign_id = node(host, None, FOREIGN_PORT).execute_command("CLUSTER", "MYID")
        members["redis-1"].execute_command("CLUSTER", "FORGET", foreign_id)


def test_a_half_created_cluster_is_completed(role, core_v1, redis_namespace):
    assert_ok(role(redis_namespace, redis_cluster_bootstrap=False))  # six fresh pods (kept from the test above)
    members = by_pod(core_v1, redis_namespace)
    members["redis-0"].execute_command("CLUSTER", "ADDSLOTSRANGE", 0, 5460)
    members["redis-1"].execute_command("CLUSTER", "ADDSLOTSRANGE", 5461, 10922)
    result = role(redis_namespace)
    assert_ok(result)
    completed = task_result(result, ROLE_TASK)
    assert completed["state"] == "partial" and completed["changed"]
    third = third_master(core_v1, redis_namespace, ("redis-0", "redis-1"))
    adds = [action for action in completed["plan"] if action["action"] == "add_slots"]
    assert [(action["member"], action["slots"]) for action in adds] == [(third, "10923-16383")]
    masters = dict((row["member"], row["slots"]) for row in completed["topology"] if row["role"] == "master")
    assert masters == {"redis-0": "0-5460", "redis-1": "5461-10922", third: "10923-16383"}
    again = role(redis_namespace)
    assert_ok(again)
    assert task_result(again, ROLE_TASK)["state"] == "complete" and again.stats["changed"] == 0
