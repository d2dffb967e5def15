"""python -m bench.wait_ordered: statefulset_wait_ordered vs kubernetes.core.k8s `wait: true`, in one run.

1. Overhead: the same StatefulSet rollout (a rolling update of every replica) is waited for
   by each tool in turn, alternating which goes first. The bench watches the pods itself
   and notes (local clock) when the last pod of the new revision turned Ready; the
   overhead is from then to the end of the waiting task as ansible-playbook's JSON
   callback records it (the moment the controller got the result). Medians and the ratio.
2. Requests: each tool waits 60 s for a StatefulSet that never becomes Ready, talking to
   the API server through a counting proxy on loopback (bench/wait_ordered/proxy.py):
   every HTTP request of that ansible-playbook run, by verb and path.
3. A 100-replica Parallel StatefulSet scaled from 0 to 100, waited for by each tool.
"""

import argparse
import base64
import datetime
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml
from kubernetes import client as k8s_client
from kubernetes import config as k8s_config

from bench.wait_ordered.proxy import CountingProxy
from testbed import config as testbed_config
from testbed.testing import run_playbook
from tests.support.cluster import create_namespace, unique_name
from tests.support.manifests import statefulset
from tests.support.watching import ListWatch

HERE = Path(__file__).parent
PLAYBOOKS = {"statefulset_wait_ordered": HERE / "ours.yml", "kubernetes.core.k8s": HERE / "peer.yml"}
WAIT_TASK = "Wait for the rollout"
REVISION_LABEL = "controller-revision-hash"


def manifest(name, namespace, replicas, release, policy="OrderedReady", ready=True, delay=1, period=1):
    """Release ``release`` of StatefulSet ``name``: each release is a new revision (a rolling update)."""
    return statefulset(name, namespace, replicas=replicas, policy=policy,
                       script="touch /tmp/ready; exec sleep 3600" if ready else "exec sleep 3600",
                       probe_delay=delay, probe_period=period, annotations={"bench/release": str(release)})


class StatusClock:
    """Notes when the StatefulSet's status last became complete: every replica updated and Ready."""

    def __init__(self, apps, namespace, name):
        self.complete_at = None
        self.feed = ListWatch(apps.list_namespaced_stateful_set, namespace, handle=self.seen,
                              field_selector="metadata.name=" + name, watch_timeout=900)

    def seen(self, _event, sts):
        status, spec = sts.get("status") or {}, sts["spec"]
        complete = (status.get("observedGeneration", 0) >= sts["metadata"]["generation"]
                    and status.get("readyReplicas", 0) == spec["replicas"]
                    and status.get("updatedReplicas", 0) == spec["replicas"]
                    and status.get("replicas", 0) == spec["replicas"])
        if complete and self.complete_at is None:
            self.complete_at = time.time()
        elif not complete:
            self.complete_at = None


class ReadyClock:
    """Notes when each pod (by uid) turns Ready, as the watch delivers it."""

    def __init__(self, core, namespace, selector):
        self.ready_at = {}
        self.lock = threading.Lock()
        self.feed = ListWatch(core.list_namespaced_pod, namespace, handle=self.seen, label_selector=selector,
                              watch_timeout=300)

    def seen(self, _event, pod):
        conditions = pod.get("status", {}).get("conditions") or []
        if any(c["type"] == "Ready" and c["status"] == "True" for c in conditions):
            with self.lock:
                self.ready_at.setdefault(pod["metadata"]["uid"], time.time())


def task_times(result):
    for play in result.report.get("plays", []):
        for task in play.get("tasks", []):
            if task["task"]["name"] == WAIT_TASK:
                duration = task["task"]["duration"]
                return tuple(
                    datetime.datetime.strptime(duration[k], "%Y-%m-%dT%H:%M:%S.%fZ")
                    .replace(tzinfo=datetime.UTC).timestamp() for k in ("start", "end"))
    raise RuntimeError("no %r task in the report:\n%s\n%s" % (WAIT_TASK, result.stdout[-2000:], result.stderr[-2000:]))


def wait_result(result):
    for play in result.report.get("plays", []):
        for task in play.get("tasks", []):
            if task["task"]["name"] == WAIT_TASK:
                return task["hosts"]["localhost"]
    return {}


class Bench:
    def __init__(self, kubeconfig):
        self.kubeconfig = kubeconfig
        api = k8s_config.new_client_from_config(config_file=str(kubeconfig))
        self.core = k8s_client.CoreV1Api(api)
        self.apps = k8s_client.AppsV1Api(api)
        self.namespace = unique_name("bench-wait")
        self.inside = []  # ours: from its own watch event of the last Ready to its answer
        self.status_lag = []  # last pod Ready -> StatefulSet status complete (the controller's share)
        self.after_status = []  # StatefulSet status complete -> task returned

    def __enter__(self):
        create_namespace(self.core, self.namespace)
        return self

    def __exit__(self, *exc):
        self.core.delete_namespace(self.namespace)

    def play(self, tool, body, timeout, kubeconfig=None, apply=True):
        extra = {"manifest_name": body["metadata"]["name"], "manifest_namespace": self.namespace,
                 "wait_timeout": timeout}
        if apply or tool == "kubernetes.core.k8s":
            extra["manifest"] = body
        return run_playbook(PLAYBOOKS[tool], kubeconfig or self.kubeconfig, extra_vars=extra, timeout=timeout + 300)

    def pods_gone(self, selector, timeout=300):
        deadline = time.monotonic() + timeout
        while self.core.list_namespaced_pod(self.namespace, label_selector=selector).items:
            if time.monotonic() > deadline:
                raise RuntimeError("pods %s still there after %d s" % (selector, timeout))
            time.sleep(0.5)

    def measured_rollout(self, tool, body, timeout):
        """Run one rollout with ``tool``; return (overhead after the last Ready, wait task seconds)."""
        name = body["metadata"]["name"]
        clock = ReadyClock(self.core, self.namespace, "app=" + name)
        status = StatusClock(self.apps, self.namespace, name)
        with clock.feed, status.feed:  # until the numbers are read: the status may complete after ours returns
            result = self.play(tool, body, timeout)
            if result.rc != 0:
                raise RuntimeError("%s failed (rc %d): %s" % (tool, result.rc, wait_result(result).get("msg")
                                                              or result.stdout[-2000:] + result.stderr[-2000:]))
            start, end = task_times(result)
            revision = self.apps.read_namespaced_stateful_set(name, self.namespace).status.update_revision
            pods = self.core.list_namespaced_pod(self.namespace, label_selector="app=" + name).items
            times = []
            for pod in pods:
                if (pod.metadata.labels or {}).get(REVISION_LABEL) != revision:
                    raise RuntimeError("pod %s is not on revision %s after %s returned"
                                       % (pod.metadata.name, revision, tool))
                with clock.lock:
                    seen = clock.ready_at.get(pod.metadata.uid)
                if seen is None:
                    raise RuntimeError("never saw pod %s turn Ready" % pod.metadata.name)
                times.append(seen)
            own = wait_result(result)
            if "elapsed" in own:  # ours: how long after its own watch saw the last Ready the module returned
                last_seen = max(t["ready_after"] for t in own["ordinals"])
                if last_seen <= 0:
                    raise RuntimeError("the module started after the rollout was over: measure a longer rollout")
                self.inside.append(own["elapsed"] - last_seen)
            self.status_lag.append(status.complete_at - max(times) if status.complete_at else float("nan"))
            self.after_status.append(end - status.complete_at if status.complete_at else float("nan"))
            return end - max(times), end - start

    # -- 1. overhead after the last pod is Ready ------------------------------------------

    def overhead(self, repetitions, replicas):
        name = "roll"
        self.apps.create_namespaced_stateful_set(self.namespace, manifest(name, self.namespace, replicas, 0))
        first = self.play("statefulset_wait_ordered", manifest(name, self.namespace, replicas, 0), 300, apply=False)
        if first.rc != 0:
            raise RuntimeError("the first rollout failed: %s" % wait_result(first).get("msg"))
        samples = {tool: [] for tool in PLAYBOOKS}
        self.after_status_by_tool = {tool: [] for tool in PLAYBOOKS}
        release = 0
        for repetition in range(repetitions):
            tools = list(PLAYBOOKS) if repetition % 2 == 0 else list(reversed(PLAYBOOKS))
            for tool in tools:
                release += 1
                # The readiness delay changes with each repetition (the same for both tools) so that the
                # end of the rollout falls at different points of kubernetes.core's 5 s polling cycle.
                body = manifest(name, self.namespace, replicas, release, delay=1 + repetition % 5)
                overhead, took = self.measured_rollout(tool, body, 300)
                samples[tool].append(overhead)
                self.after_status_by_tool[tool].append(self.after_status[-1])
                print("  rollout %2d  %-26s overhead %6.3f s  (status complete +%.3f s, then %.3f s; wait task "
                      "%.1f s)" % (release, tool, overhead, self.status_lag[-1], self.after_status[-1], took),
                      flush=True)
        return samples

    # -- 2. API requests during a 60 s wait -------------------------------------------------

    def proxy_kubeconfig(self, proxy_url, folder):
        data = yaml.safe_load(Path(self.kubeconfig).read_text())
        for cluster in data["clusters"]:
            cluster["cluster"] = {"server": proxy_url}
        path = Path(folder) / "kubeconfig"
        path.write_text(yaml.safe_dump(data))
        return path

    def requests(self, seconds):
        data = yaml.safe_load(Path(self.kubeconfig).read_text())
        cluster = data["clusters"][0]["cluster"]
        if "certificate-authority-data" in cluster:
            ca_pem = base64.b64decode(cluster["certificate-authority-data"]).decode()
        else:
            ca_pem = Path(cluster["certificate-authority"]).read_text()
        name = "stuck"
        body = manifest(name, self.namespace, 1, 0, ready=False)
        self.apps.create_namespaced_stateful_set(self.namespace, body)
        counts = {}
        with CountingProxy(cluster["server"], ca_pem) as proxy, tempfile.TemporaryDirectory() as folder:
            kubeconfig = self.proxy_kubeconfig(proxy.url, folder)
            for tool in PLAYBOOKS:  # warm up: discovery caches, the pod started
                self.play(tool, body, 2, kubeconfig=kubeconfig, apply=False)
            for tool in PLAYBOOKS:
                proxy.take()
                result = self.play(tool, body, seconds, kubeconfig=kubeconfig, apply=False)
                counts[tool] = (proxy.take(), wait_result(result).get("msg"))
        return counts

    # -- 3. 100 replicas, Parallel ----------------------------------------------------------

    def parallel(self, replicas):
        name = "wide"
        self.apps.create_namespaced_stateful_set(self.namespace,
                                                 manifest(name, self.namespace, 0, 0, policy="Parallel"))
        found = {}
        for tool in PLAYBOOKS:
            self.apps.patch_namespaced_stateful_set(name, self.namespace, {"spec": {"replicas": 0}})
            self.pods_gone("app=" + name)
            # 100 pods and their probes load the machine: Ansible needs seconds to start the module.
            # The pods turn Ready only after 20 s, so that both tools are waiting by then.
            overhead, took = self.measured_rollout(
                tool, manifest(name, self.namespace, replicas, 0, policy="Parallel", delay=20, period=2), 900)
            found[tool] = (overhead, took)
            print("  0 -> %d  %-26s overhead %6.3f s  (status complete +%.3f s, then %.3f s; wait task %.1f s)"
                  % (replicas, tool, overhead, self.status_lag[-1], self.after_status[-1], took), flush=True)
        self.apps.patch_namespaced_stateful_set(name, self.namespace, {"spec": {"replicas": 0}})
        return found


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.wait_ordered", description=__doc__.splitlines()[0])
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--count-seconds", type=int, default=60)
    parser.add_argument("--parallel-replicas", type=int, default=100)
    parser.add_argument("--skip", action="append", default=[], choices=("overhead", "requests", "parallel"))
    args = parser.parse_args(argv)
    # ansible-playbook is found beside this interpreter (.venv/bin) even when PATH lacks it.
    os.environ["PATH"] = "%s:%s" % (Path(sys.executable).parent, os.environ.get("PATH", ""))
    kubeconfig = Path(os.environ.get("KUBECONFIG") or testbed_config.KUBECONFIG)
    if not kubeconfig.exists():
        sys.exit("no kubeconfig at %s: run `make testbed-up`" % kubeconfig)

    with Bench(kubeconfig) as bench:
        print("namespace %s" % bench.namespace)
        if "overhead" not in args.skip:
            print("== overhead: last pod Ready -> task returned (rolling update of %d replicas, %d repetitions)"
                  % (args.replicas, args.repetitions), flush=True)
            samples = bench.overhead(args.repetitions, args.replicas)
            medians = {tool: statistics.median(values) for tool, values in samples.items()}
            for tool, value in medians.items():
                print("  median %-26s %6.3f s   (min %.3f, max %.3f)"
                      % (tool, value, min(samples[tool]), max(samples[tool])))
            print("  ratio kubernetes.core.k8s / statefulset_wait_ordered: %.1fx"
                  % (medians["kubernetes.core.k8s"] / medians["statefulset_wait_ordered"]))
            for tool, values in bench.after_status_by_tool.items():
                print("  median %-26s %6.3f s after the StatefulSet's status was complete" % (tool,
                                                                                            statistics.median(values)))
            print("  (of ours, inside the module from its own watch event to its answer: median %.3f s)"
                  % statistics.median(bench.inside))
        if "requests" not in args.skip:
            print("== API requests during a %d s wait (StatefulSet never Ready; counting proxy)" % args.count_seconds,
                  flush=True)
            for tool, (counts, message) in bench.requests(args.count_seconds).items():
                print("  %-26s %d requests" % (tool, sum(counts.values())))
                for (verb, path), number in sorted(counts.items(), key=lambda item: -item[1]):
                    print("      %4d  %-6s %s" % (number, verb, path))
                print("      failure message: %s" % (message or "")[:300])
        if "parallel" not in args.skip:
            print("== Parallel StatefulSet, 0 -> %d replicas" % args.parallel_replicas, flush=True)
            bench.parallel(args.parallel_replicas)
    return 0


if __name__ == "__main__":
    sys.exit(main())
