"""The node agent: three Nodes, a pod watch per node, a worker thread per pod, cluster DNS."""

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from kubernetes.client.rest import ApiException

from testbed import config, network
from testbed.node.dns import Dns
from testbed.node.events import EventRecorder
from testbed.node.kube import Kube, raw
from testbed.node.nodes import Heartbeat, Node
from testbed.node.worker import PodWorker
from testbed.watch import Informer, wait_synced

log = logging.getLogger(__name__)

STOP_TIMEOUT = 20.0


class Agent:
    def __init__(self, kubeconfig):
        self.kube = Kube(kubeconfig)
        self.events = EventRecorder(self.kube)
        self.dns = Dns(self.kube)
        self.probe_pool = ThreadPoolExecutor(max_workers=32, thread_name_prefix="probe")
        self.nodes = [Node(name, index + 1) for index, name in enumerate(config.NODE_NAMES)]
        self.heartbeat = Heartbeat(self.kube, self.nodes)
        self.workers = {}  # pod uid -> PodWorker
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.informers = []
        self.kubelet_servers = []

    def run(self):
        self._remove_leftovers()
        self.dns.start()
        wait_synced(self.dns.informers)
        self._serve_kubelet_api()
        self.heartbeat.register()
        self.heartbeat.start()
        for node in self.nodes:
            informer = Informer(
                "pods-" + node.name,
                self.kube.core.list_pod_for_all_namespaces,
                lambda kind, obj, node=node: self._on_pod(node, kind, obj),
                field_selector="spec.nodeName=" + node.name,
            )
            self.informers.append(informer.start())
        log.info("agent running: nodes %s", ", ".join(n.name for n in self.nodes))
        self.stopping.wait()
        self._shutdown()

    def stop(self):
        self.stopping.set()

    def _serve_kubelet_api(self):
        """Each node's kubelet API (logs, exec) on its address, port 10250, in this process."""
        from testbed.node import kubelet_api

        for node in self.nodes:
            try:
                server, _ = kubelet_api.serve(node.address, node_name=node.name)
                self.kubelet_servers.append(server)
            except Exception:  # noqa: BLE001 - pods still run without logs/exec; the log says why
                log.exception("node %s: the kubelet API could not start on %s", node.name, node.address)

    def _remove_leftovers(self):
        """Pods of an agent that died without cleaning up: nothing of them may keep running."""
        for netns in network.list_namespaces():
            pids = network.kill_namespace_processes(netns)
            network.delete_namespace(netns)
            log.info("removed leftover namespace %s (%d processes)", netns, len(pids))

    def _on_pod(self, node, kind, obj):
        if kind == "SYNC":
            present = {pod["metadata"]["uid"] for pod in obj}
            with self.lock:
                stale = [w for w in self.workers.values() if w.node is node and w.uid not in present]
            for worker in stale:
                worker.gone()
            for pod in obj:
                self._pod_seen(node, pod)
        elif kind == "DELETED":
            with self.lock:
                worker = self.workers.get(obj["metadata"]["uid"])
            if worker is not None:
                worker.gone()
        else:
            self._pod_seen(node, obj)

    def _pod_seen(self, node, pod):
        uid = pod["metadata"]["uid"]
        with self.lock:
            worker = self.workers.get(uid)
            if worker is None:
                if self.stopping.is_set() or (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                    # Finished before this agent started: nothing of it runs here.
                    if pod["metadata"].get("deletionTimestamp"):
                        self._delete_finished(pod)
                    return
                worker = PodWorker(self, node, pod)
                self.workers[uid] = worker
                worker.start()
                return
        worker.update(pod)

    def _delete_finished(self, pod):
        meta = pod["metadata"]
        try:
            raw(self.kube.core.delete_namespaced_pod, meta["name"], meta["namespace"],
                body={"gracePeriodSeconds": 0, "preconditions": {"uid": meta["uid"]}})
        except ApiException as e:
            if e.status not in (404, 409):
                log.warning("deleting finished pod %s/%s failed: %s", meta["namespace"], meta["name"], e.reason)

    def worker_done(self, worker):
        with self.lock:
            if self.workers.get(worker.uid) is worker:
                del self.workers[worker.uid]

    def _shutdown(self):
        with self.lock:
            workers = list(self.workers.values())
        log.info("agent stopping: %d pods", len(workers))
        for worker in workers:
            worker.shutdown()
        for informer in self.informers:
            informer.stop()
        self.heartbeat.stop()
        deadline = time.monotonic() + STOP_TIMEOUT
        for worker in workers:
            worker.thread.join(max(0.0, deadline - time.monotonic()))
        self.dns.stop()
        for server in self.kubelet_servers:
            server.shutdown()
            server.server_close()
        self.probe_pool.shutdown(wait=False, cancel_futures=True)
        log.info("agent stopped")
