"""A StatefulSet of real redis-server pods with a volumeClaimTemplate on hostPath PVs."""

import os
import subprocess
import threading
import time

import pytest
from kubernetes import client, watch
from urllib3.exceptions import ProtocolError

from testbed.node import state
from testbed.tests.support import host_path_volumes, is_ready, wait_until

REPLICAS = 3


def redis_cli(ip, *args):
    result = subprocess.run(["redis-cli", "-h", ip, *args], capture_output=True, text=True, timeout=10)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def statefulset(name):
    return {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {"name": name},
        "spec": {
            "serviceName": name,
            "replicas": REPLICAS,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {
                    "terminationGracePeriodSeconds": 5,
                    "containers": [{
                        "name": "redis",
                        "image": "redis:7.2",
                        "args": ["--appendonly", "yes"],
                        "ports": [{"name": "redis", "containerPort": 6379}],
                        "readinessProbe": {"tcpSocket": {"port": "redis"}, "periodSeconds": 1},
                        "volumeMounts": [{"name": "data", "mountPath": "/data"}],
                    }],
                },
            },
            "volumeClaimTemplates": [{
                "metadata": {"name": "data"},
                "spec": {
                    "accessModes": ["ReadWriteOnce"],
                    "storageClassName": "testbed-manual",
                    "resources": {"requests": {"storage": "1Gi"}},
                },
            }],
        },
    }


@pytest.fixture
def claim_volumes(core_v1, namespace, tmp_path):
    names = host_path_volumes(core_v1, tmp_path, [(namespace, "data-redis-%d" % i) for i in range(REPLICAS)],
                              "testbed-manual")
    yield tmp_path
    for name in names:
        core_v1.delete_persistent_volume(name)


class PodTimeline:
    """When (client clock) each pod was first seen and first seen Ready, from a watch."""

    def __init__(self, core_v1, namespace):
        self.created, self.ready = {}, {}
        self.watch = watch.Watch()
        self.thread = threading.Thread(target=self._run, args=(core_v1, namespace), daemon=True)
        self.thread.start()

    def _run(self, core_v1, namespace):
        try:
            for event in self.watch.stream(core_v1.list_namespaced_pod, namespace, timeout_seconds=120):
                pod = event["object"]
                now = time.monotonic()
                self.created.setdefault(pod.metadata.name, now)
                if is_ready(pod):
                    self.ready.setdefault(pod.metadata.name, now)
        except ProtocolError:
            pass  # the stream was stopped under us: the test has what it needs


def test_redis_statefulset_comes_up_in_ordinal_order_and_keeps_data_across_pod_deletion(
        core_v1, apps_v1, namespace, claim_volumes):
    core_v1.create_namespaced_service(namespace, {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "redis"},
        "spec": {"clusterIP": "None", "selector": {"app": "redis"}, "ports": [{"port": 6379}]},
    })
    timeline = PodTimeline(core_v1, namespace)
    apps_v1.create_namespaced_stateful_set(namespace, statefulset("redis"))
    names = ["redis-%d" % i for i in range(REPLICAS)]
    wait_until(lambda: all(n in timeline.ready for n in names), 60, "all %d redis pods Ready" % REPLICAS)
    timeline.watch.stop()

    # Ordinal order: pod N+1 appears only after pod N is Ready.
    for previous, following in zip(names, names[1:], strict=False):
        assert timeline.created[following] >= timeline.ready[previous], (previous, following, timeline.__dict__)

    pods = {n: core_v1.read_namespaced_pod(n, namespace) for n in names}
    assert len({p.status.pod_ip for p in pods.values()}) == REPLICAS
    assert all(p.status.host_ip.startswith("10.244.") for p in pods.values())
    old = pods["redis-0"]
    assert redis_cli(old.status.pod_ip, "SET", "survivor", "still-here") == "OK"
    # AOF with fsync every second: wait until the write is on the claim's disk.
    assert redis_cli(old.status.pod_ip, "BGREWRITEAOF")
    wait_until(lambda: any((claim_volumes / "data-redis-0").rglob("*.aof")), 10, "redis-0 AOF on its volume")
    old_pid = state.container_pid(state.find_pod(namespace, "redis-0"), "redis")
    assert old_pid is not None

    subprocess.run(["kubectl", "delete", "pod", "redis-0", "-n", namespace, "--wait=true"], check=True,
                   capture_output=True, timeout=60)

    def new_pod_ready():
        try:
            pod = core_v1.read_namespaced_pod("redis-0", namespace)
        except client.ApiException:
            return None
        return pod if pod.metadata.uid != old.metadata.uid and is_ready(pod) else None

    new = wait_until(new_pod_ready, 60, "a new redis-0 Ready")
    new_pid = state.container_pid(state.find_pod(namespace, "redis-0"), "redis")
    assert new_pid is not None and new_pid != old_pid
    assert not os.path.exists("/proc/%d" % old_pid), "the old redis-server (pid %d) outlived its pod" % old_pid
    assert new.status.pod_ip != old.status.pod_ip
    claims = [v.persistent_volume_claim.claim_name for v in new.spec.volumes if v.persistent_volume_claim]
    assert claims == ["data-redis-0"]
    assert redis_cli(new.status.pod_ip, "GET", "survivor") == "still-here"
