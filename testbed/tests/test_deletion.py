"""Graceful deletion: preStop, SIGTERM, the grace period, SIGKILL, and nothing left behind."""

import subprocess
import time

from kubernetes import client

from testbed import network
from testbed.node import state
from testbed.procfs import running
from testbed.tests.support import create_pod, pod_log, wait_until


def gone(core_v1, namespace, name):
    try:
        core_v1.read_namespaced_pod(name, namespace)
    except client.ApiException as e:
        return e.status == 404
    return False


def started(namespace, name):
    record = state.find_pod(namespace, name)
    return record if record and state.container_pid(record, "main") and "started" in pod_log(namespace, name,
                                                                                               "main") else None


def test_delete_runs_pre_stop_then_sigterm_and_removes_processes_and_network(core_v1, namespace, tmp_path):
    script = "trap 'echo got TERM >> /out/log; exit 0' TERM; echo started; while true; do sleep 0.1; done"
    create_pod(core_v1, namespace, {"metadata": {"name": "polite"}, "spec": {
        "terminationGracePeriodSeconds": 60,
        "containers": [{
            "name": "main", "image": "busybox", "command": ["sh", "-c", script],
            "lifecycle": {"preStop": {"exec": {"command": ["sh", "-c", "echo preStop >> /out/log"]}}},
            "volumeMounts": [{"name": "out", "mountPath": "/out"}]}],
        "volumes": [{"name": "out", "hostPath": {"path": str(tmp_path)}}]}})
    record = wait_until(lambda: started(namespace, "polite"), 30, "pod polite running")
    pid = state.container_pid(record, "main")
    began = time.monotonic()
    core_v1.delete_namespaced_pod("polite", namespace)
    wait_until(lambda: gone(core_v1, namespace, "polite"), 45, "pod polite deleted")
    # Far below the 60 s grace period: the pod went when its process did, not at the deadline.
    assert time.monotonic() - began < 15, "a process that exits on SIGTERM does not wait for the grace period"
    assert (tmp_path / "log").read_text().splitlines() == ["preStop", "got TERM"]
    assert not running(pid)
    assert record.netns not in network.list_namespaces()
    veth = network.pod_link_names(record.uid)[1]
    assert veth not in network.list_veths()


def test_process_ignoring_sigterm_is_killed_after_the_grace_period(core_v1, namespace):
    create_pod(core_v1, namespace, {"metadata": {"name": "stubborn"}, "spec": {
        "terminationGracePeriodSeconds": 2,
        "containers": [{"name": "main", "image": "busybox",
                        "command": ["sh", "-c", "trap '' TERM; echo started; sleep 3600 & wait; sleep 3600"]}]}})
    record = wait_until(lambda: started(namespace, "stubborn"), 30, "pod stubborn running")
    pids = [int(p) for p in subprocess.run(["ip", "netns", "pids", record.netns], capture_output=True,
                                           text=True).stdout.split()]
    assert len(pids) >= 2, "the shell and its sleep"
    began = time.monotonic()
    core_v1.delete_namespaced_pod("stubborn", namespace)
    wait_until(lambda: gone(core_v1, namespace, "stubborn"), 15, "pod stubborn deleted")
    took = time.monotonic() - began
    assert 1.8 <= took < 6, "SIGKILL after terminationGracePeriodSeconds=2, took %.1f s" % took
    assert not [p for p in pids if running(p)], "every process of the pod is gone"
