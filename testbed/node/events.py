"""Events as a kubelet records them: source kubelet/<node>, repeats aggregated into count and lastTimestamp.

Recording never blocks a pod: events go through a queue to one sender thread, which
keeps each pod's events in the order they happened.
"""

import logging
import queue
import threading
import time

from kubernetes.client.rest import ApiException

from testbed.node.kube import STRATEGIC_MERGE, now, raw

log = logging.getLogger(__name__)

NORMAL = "Normal"
WARNING = "Warning"


class EventRecorder:
    def __init__(self, kube):
        self.kube = kube
        self.queue = queue.Queue()
        # (namespace, uid, fieldPath, type, reason, message) -> [event name, count]
        self.seen = {}
        self.thread = threading.Thread(target=self._run, name="events", daemon=True)
        self.thread.start()

    def record(self, pod, node, kind, reason, message, container=None):
        """Record an event about ``pod`` (a dict); ``container`` names the spec.containers entry it concerns."""
        meta = pod["metadata"]
        field_path = None
        if container is not None:
            init = any(c["name"] == container for c in pod["spec"].get("initContainers") or ())
            field_path = "spec.%s{%s}" % ("initContainers" if init else "containers", container)
        involved = {
            "kind": "Pod",
            "apiVersion": "v1",
            "namespace": meta["namespace"],
            "name": meta["name"],
            "uid": meta["uid"],
        }
        if field_path:
            involved["fieldPath"] = field_path
        self.queue.put((node, involved, kind, reason, message, now()))

    def flush(self, timeout=5.0):
        deadline = time.monotonic() + timeout
        while not self.queue.empty() and time.monotonic() < deadline:
            time.sleep(0.02)

    def _run(self):
        while True:
            item = self.queue.get()
            if item[0] is None:
                self._forget(item[1])
                continue
            try:
                self._send(*item)
            except Exception:  # noqa: BLE001 - an event is never worth stopping the agent
                log.exception("recording event %s failed", item[3])

    def _send(self, node, involved, kind, reason, message, stamp):
        namespace = involved["namespace"]
        key = (namespace, involved["uid"], involved.get("fieldPath"), kind, reason, message)
        known = self.seen.get(key)
        if known is not None:
            known[1] += 1
            try:
                raw(
                    self.kube.core.patch_namespaced_event,
                    known[0],
                    namespace,
                    {"count": known[1], "lastTimestamp": stamp},
                    _content_type=STRATEGIC_MERGE,
                )
                return
            except ApiException as e:
                if e.status != 404:
                    raise
        name = "%s.%x" % (involved["name"], time.time_ns())
        body = {
            "metadata": {"name": name, "namespace": namespace},
            "involvedObject": involved,
            "reason": reason,
            "message": message[:1024],
            "type": kind,
            "source": {"component": "kubelet", "host": node},
            "firstTimestamp": stamp,
            "lastTimestamp": stamp,
            "count": 1,
            "reportingComponent": "kubelet",
            "reportingInstance": node,
        }
        try:
            raw(self.kube.core.create_namespaced_event, namespace, body)
        except ApiException as e:
            if e.status in (403, 404, 409):
                # The namespace is terminating or gone: its events go with it.
                return
            raise
        self.seen[key] = [name, 1]

    def forget(self, uid):
        """Drop the aggregation state of a pod that is gone (in the sender thread, which owns it)."""
        self.queue.put((None, uid))

    def _forget(self, uid):
        for key in [k for k in self.seen if k[1] == uid]:
            del self.seen[key]
