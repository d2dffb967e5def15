"""python -m bench.pod_start: how soon after binding the test bed's node agent starts a pod's process.

The test bed's own target (issue: under 0.5 s, median over a 30-pod Parallel
StatefulSet). A measurement, not a test: it prints the numbers and asserts nothing.
"""

import os
import statistics
import sys
import time

from kubernetes import client as k8s_client
from kubernetes import config as k8s_config

from testbed.node import state
from testbed.testing import kubeconfig_path
from tests.support.cluster import fresh_namespace
from tests.support.waiting import wait_for
from tests.support.watching import ListWatch

PODS = 30
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def process_start(pid):
    """Wall-clock start time of a process, from /proc (10 ms resolution; /proc/stat's btime has only seconds)."""
    with open("/proc/uptime") as f:
        uptime = float(f.read().split()[0])
    now = time.time()
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return now - (uptime - int(fields[19]) / CLOCK_TICKS)


def measure(core_v1, apps_v1, namespace):
    """Seconds from binding to process start, one per pod, sorted."""
    bound = {}

    def record_binding(_event, pod):
        # Plain JSON, no model classes: this watch must see a binding as soon as the agent does.
        if pod["spec"].get("nodeName"):
            bound.setdefault(pod["metadata"]["name"], time.time())

    with ListWatch(core_v1.list_namespaced_pod, namespace, handle=record_binding, watch_timeout=120):
        return _started_after_binding(apps_v1, namespace, bound)


def _started_after_binding(apps_v1, namespace, bound):
    apps_v1.create_namespaced_stateful_set(namespace, {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "many"},
        "spec": {
            "serviceName": "many", "replicas": PODS, "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": {"app": "many"}},
            "template": {"metadata": {"labels": {"app": "many"}}, "spec": {
                "terminationGracePeriodSeconds": 1,
                "containers": [{"name": "main", "image": "busybox", "command": ["sleep", "3600"]}]}},
        },
    })
    names = ["many-%d" % i for i in range(PODS)]

    def all_started():
        pids = {}
        for name in names:
            record = state.find_pod(namespace, name)
            pid = record and state.container_pid(record, "main")
            if not pid:
                return None
            pids[name] = pid
        return pids

    pids = wait_for("all %d processes started" % PODS, all_started, timeout=60, interval=0.1)
    return sorted(process_start(pids[n]) - bound[n] for n in names)


def main():
    api = k8s_config.new_client_from_config(config_file=str(kubeconfig_path()))
    core_v1, apps_v1 = k8s_client.CoreV1Api(api), k8s_client.AppsV1Api(api)
    with fresh_namespace(core_v1, "bench-pod-start") as namespace:
        delays = measure(core_v1, apps_v1, namespace)
    print("pod start after binding: median %.3f s, max %.3f s over %d pods (target: median < 0.5 s)"
          % (statistics.median(delays), delays[-1], PODS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
