"""The three Nodes: registration, status and kube-node-lease Leases kept fresh."""

import logging
import os
import platform
import threading
from dataclasses import dataclass, field

from kubernetes.client.rest import ApiException

from testbed import config
from testbed.node.addresses import AddressPool
from testbed.node.kube import STRATEGIC_MERGE, now, now_micro, raw
from testbed.node.resources import NODE_CAPACITY

log = logging.getLogger(__name__)

LEASE_SECONDS = 40
RENEW_SECONDS = 10
STATUS_SECONDS = 60


@dataclass
class Node:
    name: str
    index: int
    pool: AddressPool = field(init=False)

    def __post_init__(self):
        self.pool = AddressPool(self.index)

    @property
    def address(self):
        return config.node_address(self.index)


def _conditions(stamp):
    rows = (
        ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
        ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
    )
    return [{"type": t, "status": s, "reason": r, "message": m, "lastHeartbeatTime": stamp,
             "lastTransitionTime": stamp} for t, s, r, m in rows]


def node_status(node, stamp, version):
    """``version`` is the API server's: the nodes claim the release of the control plane they run with."""
    return {
        "capacity": dict(NODE_CAPACITY),
        "allocatable": dict(NODE_CAPACITY),
        "conditions": _conditions(stamp),
        "addresses": [{"type": "InternalIP", "address": node.address}, {"type": "Hostname", "address": node.name}],
        "daemonEndpoints": {"kubeletEndpoint": {"Port": config.KUBELET_PORT}},
        "nodeInfo": {
            "machineID": node.name,
            "systemUUID": node.name,
            "bootID": "",
            "kernelVersion": platform.release(),
            "osImage": "stateful.kube test bed",
            "containerRuntimeVersion": "testbed://1.0",
            "kubeletVersion": version,
            "kubeProxyVersion": version,
            "operatingSystem": "linux",
            "architecture": "amd64",
        },
    }


class Heartbeat:
    """Registers the nodes, then renews their Leases and refreshes their status until stopped."""

    def __init__(self, kube, nodes):
        self.kube = kube
        self.nodes = nodes
        self.stopped = threading.Event()
        self.uids = {}
        self.version = None
        self.thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def register(self):
        self.version = raw(self.kube.version.get_code)["gitVersion"]
        for node in self.nodes:
            stamp = now()
            body = {
                "metadata": {
                    "name": node.name,
                    "labels": {
                        "kubernetes.io/hostname": node.name,
                        "kubernetes.io/os": "linux",
                        "kubernetes.io/arch": "amd64",
                        "beta.kubernetes.io/os": "linux",
                        "beta.kubernetes.io/arch": "amd64",
                    },
                },
                "spec": {},
                "status": node_status(node, stamp, self.version),
            }
            try:
                created = raw(self.kube.core.create_node, body)
                self.uids[node.name] = created["metadata"]["uid"]
            except ApiException as e:
                if e.status != 409:
                    raise
                existing = raw(self.kube.core.read_node, node.name)
                self.uids[node.name] = existing["metadata"]["uid"]
                self._status(node)
            self._lease(node)
            log.info("node %s registered (%s, pid %d)", node.name, node.address, os.getpid())

    def start(self):
        self.thread.start()

    def stop(self):
        self.stopped.set()

    def _status(self, node):
        raw(self.kube.core.patch_node_status, node.name, {"status": node_status(node, now(), self.version)},
            _content_type=STRATEGIC_MERGE)

    def _lease(self, node):
        body = {
            "metadata": {
                "name": node.name,
                "namespace": "kube-node-lease",
                "ownerReferences": [{"apiVersion": "v1", "kind": "Node", "name": node.name,
                                     "uid": self.uids[node.name]}],
            },
            "spec": {"holderIdentity": node.name, "leaseDurationSeconds": LEASE_SECONDS, "renewTime": now_micro()},
        }
        try:
            raw(self.kube.coordination.patch_namespaced_lease, node.name, "kube-node-lease", {"spec": body["spec"]},
                _content_type="application/merge-patch+json")
        except ApiException as e:
            if e.status != 404:
                raise
            raw(self.kube.coordination.create_namespaced_lease, "kube-node-lease", body)

    def _run(self):
        ticks = 0
        while not self.stopped.wait(RENEW_SECONDS):
            ticks += 1
            for node in self.nodes:
                try:
                    self._lease(node)
                    if ticks % (STATUS_SECONDS // RENEW_SECONDS) == 0:
                        self._status(node)
                except Exception:  # noqa: BLE001 - keep beating; the next tick retries
                    log.exception("node %s: heartbeat failed", node.name)
