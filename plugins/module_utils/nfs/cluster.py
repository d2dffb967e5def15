# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the nfs_provisioner module reads and changes in the cluster beyond its planned objects (the I/O).

Objects are plain dicts (``k8s.store``); every wait is ``k8s.wait.wait_for`` with its own
deadline and, when it gives up, says what it saw (the pods' states, events, last log
lines) so a person knows what to do next.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import time
import uuid

from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import Deadline
from ansible_collections.stateful.kube.plugins.module_utils.k8s.diagnosis import sentence
from ansible_collections.stateful.kube.plugins.module_utils.k8s.events import (
    events_phrase,
    read_events,
    summarize_events,
)
from ansible_collections.stateful.kube.plugins.module_utils.k8s.inspect import Inspector
from ansible_collections.stateful.kube.plugins.module_utils.k8s.labels import owned_labels
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import get
from ansible_collections.stateful.kube.plugins.module_utils.k8s.store import RECREATE_SECONDS, Store, StoreError
from ansible_collections.stateful.kube.plugins.module_utils.k8s.wait import WaitError, Watcher, wait_for
from ansible_collections.stateful.kube.plugins.module_utils.nfs.directories import (
    created_from_log,
    helper_pod,
    relative_folders,
)
from ansible_collections.stateful.kube.plugins.module_utils.nfs.manifests import OWNER_LABEL, owner
from ansible_collections.stateful.kube.plugins.module_utils.nfs.plan import desired_objects
from ansible_collections.stateful.kube.plugins.module_utils.nfs.static import STATIC_OWNER_LABEL, static_owner

REQUEST_TIMEOUT = 20


class ClusterError(Exception):
    pass


def nfs_reachable(server, port=2049, timeout=5.0):
    """None when a TCP connection to the NFS server opens, else why not."""
    try:
        connection = socket.create_connection((server, port), timeout=timeout)
    except (OSError, socket.error) as e:
        return str(e)
    connection.close()
    return None


def _events_of(clients, namespace, kind, name):
    return events_phrase(summarize_events(read_events(clients, namespace, kind, name), limit=3)) or "none"


class Cluster:
    """The nfs_provisioner's reads and writes.

    ``clock`` (the monotonic clock of its deadlines) and ``watcher`` (builds the Watcher of a
    wait, see ``k8s.wait.wait_for``) are the seams a test replaces, with the clients.
    """

    def __init__(self, clients, clock=time.monotonic, watcher=Watcher):
        self.clients = clients
        self.clock = clock
        self.watcher = watcher
        self.store = Store(clients, watcher)

    def _deadline(self, seconds):
        return Deadline(seconds, self.clock)

    # -- observe, apply ------------------------------------------------------------------

    def observe(self, params):
        """``(desired, observed)``: the objects the options ask for, and what the cluster has of them.

        In static mode, also every PV with our owner label, so ``state: absent`` and a lower
        replica count see the PVs of ordinals no longer asked for.
        """
        desired = desired_objects(params)
        if params["mode"] != "static":
            return desired, self.store.observe(desired)
        observed = self.store.labelled("v1", "PersistentVolume", "%s=%s" % (STATIC_OWNER_LABEL, static_owner(params)))
        for pv in desired:
            name = pv["metadata"]["name"]
            if name not in observed:
                observed[name] = self.store.read(pv)
        return desired, observed

    def namespace(self, name):
        """The Namespace object (a dict), or None when there is none."""
        return self.store.read({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})

    def apply(self, action):
        try:
            self.store.apply(action, self._deadline(RECREATE_SECONDS))
        except StoreError as e:
            raise ClusterError(str(e)) from None

    # -- waiting -----------------------------------------------------------------------

    def wait_deployment(self, namespace, name, timeout):
        """Seconds until the Deployment is available; ClusterError saying why not."""
        deadline = self._deadline(timeout)
        try:
            wait_for(self.clients, "Deployment", namespace, name, "available", deadline, self.watcher)
        except WaitError as e:
            pods = Inspector(self.clients, namespace).pods_of(e.obj, deadline.now()) if e.obj else "it does not exist"
            raise ClusterError("%s: %s" % (e.message, pods)) from None
        return round(deadline.elapsed(), 2)

    # -- validation --------------------------------------------------------------------

    def validate(self, params, timeout):
        """Bind a 1Mi claim through the provisioner, report its PV, then remove every trace.

        The claim uses a temporary StorageClass of the same provisioner with onDelete:
        delete, so its folder is removed (not archived) and nothing is left behind.
        """
        suffix = uuid.uuid4().hex[:6]
        namespace = params["namespace"]
        class_name = "%s-validate-%s" % (params["storage_class"]["name"], suffix)
        claim_name = "%s-validate-%s" % (params["name"], suffix)
        storage_class = {
            "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
            "metadata": {"name": class_name, "labels": owned_labels({OWNER_LABEL: owner(namespace, params["name"])})},
            "provisioner": params["provisioner_name"],
            "parameters": {"onDelete": "delete", "archiveOnDelete": "false"},
            "reclaimPolicy": "Delete", "volumeBindingMode": "Immediate",
        }
        claim = {
            "apiVersion": "v1", "kind": "PersistentVolumeClaim",
            "metadata": {"name": claim_name, "namespace": namespace},
            "spec": {"accessModes": ["ReadWriteMany"], "storageClassName": class_name,
                     "resources": {"requests": {"storage": "1Mi"}}},
        }
        started = self.clock()
        report = {"claim": "%s/%s" % (namespace, claim_name), "storage_class": class_name}
        self.apply({"action": "create", "manifest": storage_class})
        try:
            self.apply({"action": "create", "manifest": claim})
            try:
                report.update(self._wait_bound(claim, timeout))
                report["bound_after"] = round(self.clock() - started, 2)
            finally:
                self.apply({"action": "delete", "manifest": claim})
            if report.get("volume"):
                volume = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": report["volume"]}}
                try:
                    self.store.wait_gone(volume, self._deadline(timeout))
                except StoreError:
                    raise ClusterError(
                        "validation claim %s bound to %s, but the provisioner did not delete that PV within %d s "
                        "after the claim was deleted; its events: %s"
                        % (report["claim"], report["volume"], timeout,
                           _events_of(self.clients, "default", "PersistentVolume", report["volume"]))
                    ) from None
            report["cleaned_after"] = round(self.clock() - started, 2)
        finally:
            self.apply({"action": "delete", "manifest": storage_class})
        return report

    def _wait_bound(self, claim, timeout):
        namespace, name = claim["metadata"]["namespace"], claim["metadata"]["name"]
        try:
            found = wait_for(self.clients, "PersistentVolumeClaim", namespace, name, "bound", self._deadline(timeout),
                             self.watcher)
        except WaitError as e:
            raise ClusterError("validation claim %s/%s is %s after %d s, not Bound; its events: %s"
                               % (namespace, name, get(e.obj, "status.phase", "Pending"), timeout,
                                  _events_of(self.clients, namespace, "PersistentVolumeClaim", name))) from None
        volume = self.store.read({"apiVersion": "v1", "kind": "PersistentVolume",
                                  "metadata": {"name": get(found, "spec.volumeName")}}) or {}
        nfs = get(volume, "spec.nfs") or {}
        return {"volume": get(found, "spec.volumeName"), "nfs_server": nfs.get("server"), "nfs_path": nfs.get("path")}

    # -- static folders ----------------------------------------------------------------

    def ensure_directories(self, params, directories, timeout):
        """Make the static PVs' missing folders with a one-shot pod; return the ones it made."""
        folders = relative_folders(params["nfs_path"], directories)
        namespace = params["namespace"]
        name = "%s-mkdir-%s" % (params["static"]["statefulset"][:40], uuid.uuid4().hex[:6])
        pod = helper_pod(name, namespace, params["nfs_server"], params["nfs_path"], folders,
                         params["static"]["helper_image"], owned_labels(),
                         {"pod": params["pod_security_context"], "container": params["security_context"]})
        self.apply({"action": "create", "manifest": pod})
        deadline = self._deadline(timeout)
        try:
            try:
                found = wait_for(self.clients, "Pod", namespace, name, "finished", deadline, self.watcher)
            except WaitError as e:
                why = "it was not created"
                if e.obj:
                    facts, detail, hint = Inspector(self.clients, namespace).explain(e.obj, deadline.now())
                    why = sentence("pod %s" % name, detail, facts["log_tail"], facts["events"], hint)
                raise ClusterError(
                    "pod %s/%s, which makes the static PVs' folders on %s:%s, is %s after %d s: %s. Check that the "
                    "nodes can mount the export and pull image %s."
                    % (namespace, name, params["nfs_server"], params["nfs_path"], get(e.obj, "status.phase"),
                       timeout, why, params["static"]["helper_image"])) from None
            log = self.clients.core.read_namespaced_pod_log(name, namespace, _request_timeout=REQUEST_TIMEOUT)
            if get(found, "status.phase") == "Failed":
                raise ClusterError("pod %s/%s could not make the folders under %s:%s; its output: %s"
                                   % (namespace, name, params["nfs_server"], params["nfs_path"], log.strip()))
            return [params["nfs_path"].rstrip("/") + "/" + folder for folder in created_from_log(log)]
        finally:
            self.clients.core.delete_namespaced_pod(name, namespace, grace_period_seconds=0,
                                                    _request_timeout=REQUEST_TIMEOUT)
