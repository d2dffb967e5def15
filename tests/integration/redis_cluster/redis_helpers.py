"""What the Redis tests share: running the role, reaching the pods from the host, waiting."""

import uuid

import redis

from testbed import config
from tests.support import PLAYBOOKS, role_runs, waiting
from tests.support.redis_cluster import cluster_up, raw_client

ROLE_PLAYBOOK = PLAYBOOKS / "redis_cluster.yml"
MODULE_PLAYBOOK = PLAYBOOKS / "redis_cluster_bootstrap.yml"
STORAGE_PLAYBOOK = config.STORAGE_PLAYBOOK
STORAGE_CLASS = "nfs-client"  # made by testbed/playbooks/storage.yml
PASSWORD = "redis-%s" % uuid.uuid4().hex[:8]
ROLE_TASK = "Form, grow or heal the cluster"
SCALE_DOWN_TASK = "Move slots and keys off the pods that go, before the StatefulSet shrinks"
MODULE_TASK = "Call the module with the test's options"


def role_vars(namespace, **overrides):
    found = {
        "redis_cluster_namespace": namespace,
        "redis_cluster_password": PASSWORD,
        "redis_cluster_storage_class": STORAGE_CLASS,
        "redis_cluster_timeout": 400,
    }
    found.update(overrides)
    return found


assert_ok = role_runs.assert_ok  # the tests import it from here
changed_tasks = role_runs.changed_tasks  # the tests import it from here


def task_result(result, task):
    """The one result of ``task`` in a run of the redis_cluster role."""
    return role_runs.task_result(result, task, "redis_cluster")


def pod_ips(core_v1, namespace):
    return dict((pod.status.pod_ip, pod.metadata.name) for pod in core_v1.list_namespaced_pod(namespace).items
                if pod.status.pod_ip and pod.status.phase == "Running")


def cluster_client(core_v1, namespace):
    """A cluster client from the host (on the pod network's bridge) to the pods' IPs."""
    nodes = [redis.cluster.ClusterNode(ip, 6379) for ip in pod_ips(core_v1, namespace)]
    return redis.RedisCluster(startup_nodes=nodes, password=PASSWORD, decode_responses=True, socket_timeout=5)


def node(ip, password=PASSWORD, port=6379, ca=None):
    return raw_client(ip, port, password, ca)


KEYS = 300


def write_keys(core_v1, namespace, prefix, count=KEYS):
    client = cluster_client(core_v1, namespace)
    for i in range(count):
        client.set("%s:%d" % (prefix, i), "v%d" % i)
    client.close()


def missing_keys(core_v1, namespace, prefix, count=KEYS):
    client = cluster_client(core_v1, namespace)
    missing = [i for i in range(count) if client.get("%s:%d" % (prefix, i)) != "v%d" % i]
    client.close()
    return missing


def all_members_ok(core_v1, namespace, size, ca=None):
    return all(cluster_up(node(ip, ca=ca).execute_command("CLUSTER", "INFO"), size)
               for ip in pod_ips(core_v1, namespace))


def replicas_linked(core_v1, namespace, ca=None):
    """Every replica's link to its master is up (after a heal, a replica may still pull from an old address)."""
    for ip in pod_ips(core_v1, namespace):
        replication = node(ip, ca=ca).execute_command("INFO", "replication")
        if "role:slave" in replication and "master_link_status:up" not in replication:
            return False
    return True


def pods(core_v1, namespace):
    return dict((pod.metadata.name, pod) for pod in core_v1.list_namespaced_pod(namespace).items)


def is_ready(pod):
    return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def healed(core_v1, namespace, old_uids, size, ca=None):
    """Every pod is a new one, Running and Ready, every member sees the whole cluster ok, every replica linked.

    Not cluster_state:ok alone: a member says ok two seconds after its restart, before it
    has reached anyone, with every peer (and itself) at its old address. Its readiness
    (files/ready.sh) checks that its view is current, so Ready is part of the answer.
    """
    found = pods(core_v1, namespace)
    if len(found) != size or set(pod.metadata.uid for pod in found.values()) & old_uids:
        return False
    if not all(pod.status.phase == "Running" and is_ready(pod) for pod in found.values()):
        return False
    return all_members_ok(core_v1, namespace, size, ca) and replicas_linked(core_v1, namespace, ca)


def wait_for(what, predicate, timeout=180, interval=0.5):
    """Until ``predicate()`` is truthy; a Redis or network error counts as not yet (a member restarting)."""
    return waiting.wait_for(what, predicate, timeout, interval, tolerate=(redis.RedisError, OSError))


def cluster_nodes(core_v1, namespace):
    """``{pod: sorted CLUSTER NODES lines without the timing fields}``: what the members know."""
    seen = {}
    for ip, pod in pod_ips(core_v1, namespace).items():
        lines = node(ip).execute_command("CLUSTER", "NODES").splitlines()
        # id, address, flags, master, slots; the config epoch only of the member itself (a node
        # that is not ours may bump its own at any time)
        seen[pod] = sorted(" ".join(line.split()[:4] + (line.split()[6:7] if "myself" in line else [])
                                    + line.split()[8:]) for line in lines)
    return seen
