"""The node agent starts a pod's process within 0.5 s of the pod being bound (median over 30 pods)."""

import os
import statistics
import threading
import time

from kubernetes import watch
from urllib3.exceptions import ProtocolError

from testbed.node import state
from testbed.tests.support import wait_until

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


def test_median_time_from_binding_to_process_start_is_under_half_a_second(core_v1, apps_v1, namespace):
    bound = {}
    stream = watch.Watch()

    def record_bindings():
        # Plain JSON, no model classes: this watch must see a binding as soon as the agent does.
        try:
            for event in stream.stream(core_v1.list_namespaced_pod, namespace, timeout_seconds=120,
                                       deserialize=False):
                pod = event["object"]
                if pod["spec"].get("nodeName"):
                    bound.setdefault(pod["metadata"]["name"], time.time())
        except ProtocolError:
            pass

    threading.Thread(target=record_bindings, daemon=True).start()
    time.sleep(0.3)
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

    pids = wait_until(all_started, 60, "all %d processes started" % PODS)
    stream.stop()
    delays = sorted(process_start(pids[n]) - bound[n] for n in names)
    median = statistics.median(delays)
    print("pod start after binding: median %.3f s, max %.3f s over %d pods" % (median, delays[-1], PODS))
    assert median < 0.5, "median %.3f s (all: %s)" % (median, ["%.2f" % d for d in delays])
