"""Step 4 of a pod's life: the pod's status, patched whenever it changes, and its events."""

import json
import logging

from kubernetes.client.rest import ApiException

from testbed.node import status
from testbed.node.events import NORMAL, WARNING
from testbed.node.kube import STRATEGIC_MERGE, now, raw

log = logging.getLogger("testbed.node.worker")


class Reporting:
    """The reporting steps of a PodWorker (testbed/node/worker.py), which holds the state they share."""

    def _publish(self):
        if self.terminating in ("gone", "shutdown") or self.record is None:
            return
        pod_phase = status.phase(self.initialized, self.init_failed, self.containers, self.restart_policy)
        pending = [c.name for c in self.init_containers[self.init_index:]]
        stamp = now()
        for kind, (value, reason, message) in status.condition_values(self.initialized, pending, self.containers,
                                                                       pod_phase).items():
            old = self.conditions.get(kind)
            if old is None or old["status"] != value:
                self.conditions[kind] = {"type": kind, "status": value, "lastProbeTime": None,
                                         "lastTransitionTime": stamp}
            # None (not absence) removes a field in a strategic merge patch.
            self.conditions[kind].update(reason=reason, message=message)
        body = {
            "phase": pod_phase,
            "conditions": [self.conditions[k] for k in ("Initialized", "Ready", "ContainersReady")],
            "hostIP": self.node.address,
            "podIP": self.record.ip,
            "podIPs": [{"ip": self.record.ip}],
            "startTime": self.start_time,
            "containerStatuses": [c.status() for c in self.containers],
        }
        if self.init_containers:
            body["initContainerStatuses"] = [c.status() for c in self.init_containers]
        text = json.dumps(body, sort_keys=True)
        if text == self.last_status:
            return
        try:
            # The uid makes the patch a precondition, as the kubelet's is: a pod deleted and made
            # again under its name (a StatefulSet's) is another pod, which this worker's last
            # status (its containers terminated, its old address) must not overwrite.
            raw(self.kube.core.patch_namespaced_pod_status, self.name, self.namespace,
                {"metadata": {"uid": self.uid}, "status": body}, _content_type=STRATEGIC_MERGE)
            self.last_status = text
        except ApiException as e:
            if e.status == 409:  # replaced by a pod of the same name: nothing of this one is left to report
                self.last_status = text
            elif e.status != 404:
                log.warning("%s: status update failed: %s", self.key, e.reason)

    def _normal(self, reason, message, container=None):
        self.events.record(self.pod, self.node.name, NORMAL, reason, message, container)

    def _warn(self, reason, message, container=None):
        self.events.record(self.pod, self.node.name, WARNING, reason, message, container)
