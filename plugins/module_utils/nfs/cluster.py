# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and changing the cluster for the nfs_provisioner module (the only I/O here).

Objects are read and written as plain dicts through kubernetes.core's dynamic client.
Every call has a timeout; waits poll with one deadline each and, when they give up, say
what they saw (pod states, events) so a person knows what to do next.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import socket
import time
import uuid

from ansible_collections.stateful.kube.plugins.module_utils.nfs.directories import (
    created_from_log,
    helper_pod,
    relative_folders,
)
from ansible_collections.stateful.kube.plugins.module_utils.nfs.manifests import OWNER_LABEL, object_id

try:
    from kubernetes.dynamic.exceptions import DynamicApiError, NotFoundError
except ImportError:  # the module reports the missing library through new_module()
    NotFoundError = DynamicApiError = Exception

REQUEST_TIMEOUT = 20
POLL = 0.5


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


class Cluster:
    def __init__(self, clients):
        self.clients = clients
        self.dynamic = clients.k8s.client

    def _resource(self, api_version, kind):
        return self.dynamic.resources.get(api_version=api_version, kind=kind)

    def read(self, manifest):
        meta = manifest["metadata"]
        resource = self._resource(manifest["apiVersion"], manifest["kind"])
        try:
            found = resource.get(name=meta["name"], namespace=meta.get("namespace"), _request_timeout=REQUEST_TIMEOUT)
        except NotFoundError:
            return None
        return found.to_dict()

    def observe(self, manifests):
        return dict((object_id(m), self.read(m)) for m in manifests)

    def volumes_labelled(self, label, value):
        resource = self._resource("v1", "PersistentVolume")
        found = resource.get(label_selector="%s=%s" % (label, value), _request_timeout=REQUEST_TIMEOUT)
        return dict((item["metadata"]["name"], item) for item in found.to_dict()["items"])

    def apply(self, action):
        try:
            self._apply(action)
        except DynamicApiError as e:
            why = e.summary() if hasattr(e, "summary") else str(e)
            raise ClusterError("could not %s %s: %s" % (action["action"], object_id(action["manifest"]), why)) from None

    def _apply(self, action):
        manifest = action["manifest"]
        meta = manifest["metadata"]
        resource = self._resource(manifest["apiVersion"], manifest["kind"])
        namespace = meta.get("namespace")
        verb = action["action"]
        if verb in ("delete", "recreate"):
            try:
                resource.delete(name=meta["name"], namespace=namespace, body={"propagationPolicy": "Background"},
                                _request_timeout=REQUEST_TIMEOUT)
            except NotFoundError:
                pass
            if verb == "recreate":
                self._wait_gone(manifest, 60)
        if verb in ("create", "recreate"):
            resource.create(body=manifest, namespace=namespace, _request_timeout=REQUEST_TIMEOUT)
        elif verb == "update":
            # A merge patch replaces the lists we own (rules, containers) and keeps others' labels.
            resource.patch(body=manifest, name=meta["name"], namespace=namespace,
                           content_type="application/merge-patch+json", _request_timeout=REQUEST_TIMEOUT)

    def _wait_gone(self, manifest, timeout):
        deadline = time.time() + timeout
        while self.read(manifest) is not None:
            if time.time() > deadline:
                raise ClusterError("%s still exists %d s after it was deleted (a finalizer?)"
                                   % (object_id(manifest), timeout))
            time.sleep(POLL)

    # -- waiting -----------------------------------------------------------------------

    def wait_deployment(self, namespace, name, timeout):
        """Seconds until the Deployment is available; ClusterError saying why not."""
        start = time.time()
        while True:
            deployment = self.clients.apps.read_namespaced_deployment(name, namespace, _request_timeout=REQUEST_TIMEOUT)
            status = deployment.status
            if ((status.observed_generation or 0) >= deployment.metadata.generation
                    and (status.available_replicas or 0) >= deployment.spec.replicas
                    and (status.updated_replicas or 0) >= deployment.spec.replicas):
                return round(time.time() - start, 2)
            if time.time() - start > timeout:
                raise ClusterError("Deployment %s/%s not available after %d s (available %s of %s): %s"
                                   % (namespace, name, timeout, status.available_replicas or 0,
                                      deployment.spec.replicas, self.pods_summary(namespace, deployment)))
            time.sleep(POLL)

    def pods_summary(self, namespace, deployment):
        selector = ",".join("%s=%s" % kv for kv in sorted(deployment.spec.selector.match_labels.items()))
        pods = self.clients.core.list_namespaced_pod(namespace, label_selector=selector,
                                                     _request_timeout=REQUEST_TIMEOUT).items
        if not pods:
            return "no pod exists (check the ReplicaSet's events, e.g. the ServiceAccount or quota)"
        parts = []
        for pod in pods:
            states = []
            for container in pod.status.container_statuses or []:
                if container.state.waiting:
                    states.append("%s waiting: %s %s" % (container.name, container.state.waiting.reason,
                                                         container.state.waiting.message or ""))
                elif container.state.terminated:
                    states.append("%s terminated: %s (exit %s)" % (container.name, container.state.terminated.reason,
                                                                   container.state.terminated.exit_code))
            parts.append("pod %s %s%s; events: %s" % (pod.metadata.name, pod.status.phase,
                                                      " (%s)" % "; ".join(states) if states else "",
                                                      self.events(namespace, pod.metadata.name)))
        return " | ".join(parts)

    def events(self, namespace, name, last=3):
        items = self.clients.core.list_namespaced_event(
            namespace, field_selector="involvedObject.name=%s" % name, _request_timeout=REQUEST_TIMEOUT).items
        items.sort(key=lambda e: str(e.last_timestamp or e.event_time or ""))
        return "; ".join("%s: %s" % (e.reason, e.message) for e in items[-last:]) or "none"

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
            "metadata": {"name": class_name, "labels": {OWNER_LABEL: "%s.%s" % (namespace, params["name"])}},
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
        start = time.time()
        report = {"claim": "%s/%s" % (namespace, claim_name), "storage_class": class_name}
        self.apply({"action": "create", "manifest": storage_class})
        try:
            self.apply({"action": "create", "manifest": claim})
            try:
                report.update(self._wait_bound(claim, timeout))
                report["bound_after"] = round(time.time() - start, 2)
            finally:
                self.apply({"action": "delete", "manifest": claim})
            if report.get("volume"):
                volume = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": report["volume"]}}
                try:
                    self._wait_gone(volume, timeout)
                except ClusterError:
                    raise ClusterError(
                        "validation claim %s bound to %s, but the provisioner did not delete that PV within %d s "
                        "after the claim was deleted; its events: %s"
                        % (report["claim"], report["volume"], timeout, self.events("default", report["volume"]))
                    ) from None
            report["cleaned_after"] = round(time.time() - start, 2)
        finally:
            self.apply({"action": "delete", "manifest": storage_class})
        return report

    def _wait_bound(self, claim, timeout):
        namespace, name = claim["metadata"]["namespace"], claim["metadata"]["name"]
        deadline = time.time() + timeout
        while True:
            found = self.clients.core.read_namespaced_persistent_volume_claim(name, namespace,
                                                                              _request_timeout=REQUEST_TIMEOUT)
            if found.status.phase == "Bound" and found.spec.volume_name:
                volume = self.clients.core.read_persistent_volume(found.spec.volume_name,
                                                                  _request_timeout=REQUEST_TIMEOUT)
                nfs = volume.spec.nfs
                return {"volume": volume.metadata.name, "nfs_server": nfs.server if nfs else None,
                        "nfs_path": nfs.path if nfs else None}
            if time.time() > deadline:
                raise ClusterError("validation claim %s/%s is %s after %d s, not Bound; its events: %s"
                                   % (namespace, name, found.status.phase, timeout, self.events(namespace, name)))
            time.sleep(POLL)

    # -- static folders ----------------------------------------------------------------

    def ensure_directories(self, params, directories, timeout):
        """Make the static PVs' missing folders with a one-shot pod; return the ones it made."""
        folders = relative_folders(params["nfs_path"], directories)
        namespace = params["namespace"]
        name = "%s-mkdir-%s" % (params["static"]["statefulset"][:40], uuid.uuid4().hex[:6])
        pod = helper_pod(name, namespace, params["nfs_server"], params["nfs_path"], folders,
                         params["static"]["helper_image"], {"app.kubernetes.io/managed-by": "stateful.kube"})
        self.clients.core.create_namespaced_pod(namespace, pod, _request_timeout=REQUEST_TIMEOUT)
        try:
            deadline = time.time() + timeout
            while True:
                found = self.clients.core.read_namespaced_pod(name, namespace, _request_timeout=REQUEST_TIMEOUT)
                if found.status.phase in ("Succeeded", "Failed"):
                    break
                if time.time() > deadline:
                    raise ClusterError(
                        "pod %s/%s, which makes the static PVs' folders on %s:%s, is %s after %d s; its events: %s. "
                        "Check that the nodes can mount the export and pull image %s."
                        % (namespace, name, params["nfs_server"], params["nfs_path"], found.status.phase, timeout,
                           self.events(namespace, name), params["static"]["helper_image"]))
                time.sleep(POLL / 5)
            log = self.clients.core.read_namespaced_pod_log(name, namespace, _request_timeout=REQUEST_TIMEOUT)
            if found.status.phase == "Failed":
                raise ClusterError("pod %s/%s could not make the folders under %s:%s; its output: %s"
                                   % (namespace, name, params["nfs_server"], params["nfs_path"], log.strip()))
            return [params["nfs_path"].rstrip("/") + "/" + folder for folder in created_from_log(log)]
        finally:
            self.clients.core.delete_namespaced_pod(name, namespace, grace_period_seconds=0,
                                                    _request_timeout=REQUEST_TIMEOUT)
