"""A stand-in for nfs-subdir-external-provisioner, run as the process of its pod.

The upstream provisioner is a Go binary this machine cannot get, so the test bed's image
catalog runs this module for ``registry.k8s.io/sig-storage/nfs-subdir-external-provisioner``.
It does what the upstream README documents, and nothing else:

- configuration from the environment: PROVISIONER_NAME, NFS_SERVER, NFS_PATH; the NFS
  share is mounted in the pod at /persistentvolumes (the node agent bind-mounts the
  deployment's nfs volume there);
- it talks to the API server as its pod's ServiceAccount (in-cluster config: the token and
  CA under /var/run/secrets/kubernetes.io/serviceaccount, KUBERNETES_SERVICE_HOST/PORT),
  so the RBAC a role grants it really applies;
- a claim of a StorageClass whose ``provisioner`` is PROVISIONER_NAME gets a directory
  ``${namespace}-${pvcName}-${pvName}`` (or the class's ``pathPattern`` with
  ``${.PVC.namespace}``, ``${.PVC.name}``, ``${.PVC.annotations.X}``, ``${.PVC.labels.X}``),
  mode 0777, and a PV ``pvc-<claim uid>`` bound to it by claimRef, with the class's reclaim
  policy and mount options and the annotation ``pv.kubernetes.io/provisioned-by``;
- a released PV of ours with reclaim policy Delete: the class's ``onDelete`` (``delete``
  or ``retain``) decides, else ``archiveOnDelete`` (default true) renames the directory to
  ``archived-<directory>``, false removes it; then the PV is deleted.

Like upstream, it keeps watches (list, then watch from the list's resourceVersion; the
test bed's Informer) on claims, volumes and StorageClasses and acts when they change, and
several replicas elect a leader through a coordination.k8s.io Lease named after the
provisioner (``/`` replaced by ``-``) in the pod's namespace, with upstream's timings:
15 s lease, retried every 2 s, leadership given up when not renewed for 10 s. Only the
leader provisions; a leader stopped by SIGTERM releases the Lease so that another
replica takes over at its next try (2 s), and one that dies without releasing it is
replaced once its lease has run out (15 s). Difference, on purpose: events are recorded
for success and failure only.
"""

import json
import logging
import os
import re
import shutil
import signal
import socket
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

MOUNT_PATH = Path("/persistentvolumes")
SA_NAMESPACE_FILE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
# sig-storage-lib-external-provisioner's defaults.
LEASE_SECONDS = 15
RENEW_DEADLINE_SECONDS = 10
RETRY_SECONDS = 2
RESYNC_SECONDS = 30  # a full pass even without changes, as an informer's resync
ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"
# Set on a claim by the PV controller to name the provisioner that should act on it.
ANN_STORAGE_PROVISIONER = ("volume.beta.kubernetes.io/storage-provisioner", "volume.kubernetes.io/storage-provisioner")
ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node"
PATH_FIELD = re.compile(r"\$\{\.PVC\.((?:annotations|labels)\.[^}]+|namespace|name)\}")

log = logging.getLogger("nfs-provisioner")


# -- what to do: pure functions of the objects as the API returns them (dicts) --------


def directory_name(claim, pv_name, path_pattern=None):
    """The directory of a claim's volume, relative to the share."""
    meta = claim["metadata"]
    if not path_pattern:
        return "%s-%s-%s" % (meta["namespace"], meta["name"], pv_name)

    def field(match):
        key = match.group(1)
        if key in ("namespace", "name"):
            return meta[key]
        kind, _, name = key.partition(".")
        return (meta.get(kind) or {}).get(name, "")

    # Like upstream: the pattern may nest folders; leading and empty parts are dropped.
    return "/".join(part for part in PATH_FIELD.sub(field, path_pattern).split("/") if part)


def wants_us(claim, storage_class, provisioner_name):
    """Whether this claim is an unbound claim we should provision now."""
    if claim["spec"].get("volumeName") or not storage_class:
        return False
    if storage_class.get("provisioner") != provisioner_name:
        return False
    annotations = claim["metadata"].get("annotations") or {}
    if not any(annotations.get(key) == provisioner_name for key in ANN_STORAGE_PROVISIONER):
        return False
    # Late binding: wait until the scheduler has picked the consumer's node.
    return storage_class.get("volumeBindingMode") != "WaitForFirstConsumer" or ANN_SELECTED_NODE in annotations


def volume_manifest(claim, storage_class, pv_name, server, share_path, directory, provisioner_name):
    """The PV for a claim, bound to it by claimRef."""
    meta = claim["metadata"]
    spec = {
        "capacity": {"storage": claim["spec"]["resources"]["requests"]["storage"]},
        "accessModes": claim["spec"].get("accessModes") or ["ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": storage_class.get("reclaimPolicy") or "Delete",
        "storageClassName": storage_class["metadata"]["name"],
        "volumeMode": claim["spec"].get("volumeMode") or "Filesystem",
        "claimRef": {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "namespace": meta["namespace"],
            "name": meta["name"],
            "uid": meta["uid"],
            "resourceVersion": meta["resourceVersion"],
        },
        "nfs": {"server": server, "path": share_path.rstrip("/") + "/" + directory, "readOnly": False},
    }
    if storage_class.get("mountOptions"):
        spec["mountOptions"] = list(storage_class["mountOptions"])
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": pv_name, "annotations": {ANN_PROVISIONED_BY: provisioner_name}},
        "spec": spec,
    }


def release_action(parameters):
    """What to do with a released volume's directory: "delete", "retain" or "archive"."""
    parameters = parameters or {}
    on_delete = parameters.get("onDelete", "")
    if on_delete in ("delete", "retain"):
        return on_delete
    if parameters.get("archiveOnDelete", "true").strip().lower() in ("false", "0", "f", "no"):
        return "delete"
    return "archive"


def released_ours(volume, provisioner_name):
    annotations = volume["metadata"].get("annotations") or {}
    return (
        annotations.get(ANN_PROVISIONED_BY) == provisioner_name
        and (volume.get("status") or {}).get("phase") == "Released"
        and volume["spec"].get("persistentVolumeReclaimPolicy") == "Delete"
    )


# -- doing it ----------------------------------------------------------------------------


class Provisioner:
    def __init__(self, core, name, server, share_path, mount_path=MOUNT_PATH):
        self.core = core
        self.name = name
        self.server = server
        self.share_path = share_path
        self.mount_path = mount_path

    def _get(self, method, *args):
        response = method(*args, _preload_content=False, _request_timeout=10)
        return json.loads(response.data)

    def reconcile(self, claims, volumes, classes):
        """One pass over the watched objects (dicts by name): provision and delete what is due."""
        for claim in list(claims.values()):
            storage_class = classes.get(claim["spec"].get("storageClassName") or "")
            if wants_us(claim, storage_class, self.name):
                self.provision(claim, storage_class)
        for volume in list(volumes.values()):
            if released_ours(volume, self.name):
                self.delete(volume, classes.get(volume["spec"].get("storageClassName") or ""))

    def provision(self, claim, storage_class):
        from kubernetes.client.rest import ApiException

        meta = claim["metadata"]
        pv_name = "pvc-" + meta["uid"]
        directory = directory_name(claim, pv_name, (storage_class.get("parameters") or {}).get("pathPattern"))
        full_path = self.mount_path / directory
        try:
            full_path.mkdir(parents=True, exist_ok=True)
            # Upstream makes it world-writable, so any pod user can write its volume.
            full_path.chmod(0o777)
            manifest = volume_manifest(
                claim, storage_class, pv_name, self.server, self.share_path, directory, self.name
            )
            self.core.create_persistent_volume(manifest, _request_timeout=10)
        except ApiException as e:
            if e.status == 409:  # made on an earlier pass; the PV controller binds it
                return
            self.event(claim, "Warning", "ProvisioningFailed", "failed to create volume %s: %s" % (pv_name, e.reason))
            return
        except OSError as e:
            self.event(claim, "Warning", "ProvisioningFailed", "cannot create %s on the share: %s" % (directory, e))
            return
        log.info("provisioned %s/%s as %s at %s:%s", meta["namespace"], meta["name"], pv_name,
                 self.server, manifest["spec"]["nfs"]["path"])
        self.event(claim, "Normal", "ProvisioningSucceeded", "Successfully provisioned volume %s" % pv_name)

    def delete(self, volume, storage_class):
        from kubernetes.client.rest import ApiException

        name = volume["metadata"]["name"]
        path = volume["spec"]["nfs"]["path"]
        relative = path[len(self.share_path.rstrip("/")) + 1:] if path.startswith(self.share_path) else ""
        action = release_action((storage_class or {}).get("parameters"))
        directory = self.mount_path / relative if relative else None
        try:
            if directory is not None and directory.exists():
                if action == "delete":
                    shutil.rmtree(directory)
                elif action == "archive":
                    directory.rename(directory.with_name("archived-" + directory.name))
        except OSError as e:
            self.event(volume, "Warning", "VolumeFailedDelete", "cannot %s %s: %s" % (action, path, e))
            return
        try:
            self.core.delete_persistent_volume(name, _request_timeout=10)
        except ApiException as e:
            if e.status != 404:
                self.event(volume, "Warning", "VolumeFailedDelete", "cannot delete the PV: %s" % e.reason)
                return
        log.info("deleted %s (%s: %s)", name, action, path)

    def event(self, obj, kind, reason, message):
        from kubernetes.client.rest import ApiException

        meta = obj["metadata"]
        namespace = meta.get("namespace") or "default"
        now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        body = {
            "metadata": {"generateName": meta["name"] + ".", "namespace": namespace},
            "involvedObject": {
                "apiVersion": "v1",
                "kind": obj.get("kind") or ("PersistentVolumeClaim" if meta.get("namespace") else "PersistentVolume"),
                "name": meta["name"],
                "namespace": meta.get("namespace"),
                "uid": meta["uid"],
            },
            "type": kind,
            "reason": reason,
            "message": message,
            "source": {"component": self.name},
            "firstTimestamp": now,
            "lastTimestamp": now,
            "count": 1,
        }
        (log.info if kind == "Normal" else log.warning)("%s %s: %s", reason, meta["name"], message)
        try:
            self.core.create_namespaced_event(namespace, body, _request_timeout=10)
        except ApiException as e:
            log.warning("cannot record event %s: %s", reason, e.reason)


# -- leader election -----------------------------------------------------------------


def lock_name(provisioner_name):
    return provisioner_name.replace("/", "-")


def _micro_time():
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class LeaderElection:
    """client-go's leader election on a Lease, for one candidate.

    Expiry is judged on this process's own clock, from when it last saw the record change
    (as client-go does), never by comparing the holder's renewTime with our clock.
    """

    def __init__(self, coordination, namespace, name, identity, clock=time.monotonic):
        self.api = coordination
        self.namespace = namespace
        self.name = name
        self.identity = identity
        self.clock = clock
        self.observed = None  # (holder, renewTime) last seen
        self.observed_at = None
        self.renewed_at = None  # when we last renewed, while leading

    @property
    def leading(self):
        return self.renewed_at is not None and self.clock() - self.renewed_at < RENEW_DEADLINE_SECONDS

    def _spec(self, transitions, acquired=None):
        now = _micro_time()
        return {"holderIdentity": self.identity, "leaseDurationSeconds": LEASE_SECONDS,
                "acquireTime": acquired or now, "renewTime": now, "leaseTransitions": transitions}

    def _read(self):
        response = self.api.read_namespaced_lease(self.name, self.namespace, _preload_content=False,
                                                  _request_timeout=5)
        return json.loads(response.data)

    def try_acquire_or_renew(self):
        """One attempt; True while we lead."""
        from kubernetes.client.rest import ApiException

        try:
            lease = self._read()
        except ApiException as e:
            if e.status != 404:
                raise
            body = {"metadata": {"name": self.name, "namespace": self.namespace}, "spec": self._spec(0)}
            try:
                self.api.create_namespaced_lease(self.namespace, body, _request_timeout=5)
            except ApiException as conflict:
                if conflict.status == 409:
                    return False
                raise
            return self._won()
        spec = lease.get("spec") or {}
        record = (spec.get("holderIdentity") or "", spec.get("renewTime"))
        if record != self.observed:
            self.observed, self.observed_at = record, self.clock()
        holder = record[0]
        duration = spec.get("leaseDurationSeconds") or LEASE_SECONDS
        if holder and holder != self.identity and self.clock() - self.observed_at < duration:
            self.renewed_at = None
            return False
        transitions = spec.get("leaseTransitions") or 0
        if holder == self.identity:
            lease["spec"] = self._spec(transitions, spec.get("acquireTime"))
        else:
            lease["spec"] = self._spec(transitions + 1)
        try:
            # The read's resourceVersion is in the body: a rival's update in between makes ours a 409.
            self.api.replace_namespaced_lease(self.name, self.namespace, lease, _request_timeout=5)
        except ApiException as e:
            if e.status == 409:
                return self.leading
            raise
        return self._won()

    def _won(self):
        if self.renewed_at is None:
            log.info("leading: lease %s/%s held by %s", self.namespace, self.name, self.identity)
        self.renewed_at = self.clock()
        return True

    def release(self):
        """Give the lease up (on SIGTERM), so that another replica need not wait for it to run out."""
        if self.renewed_at is None:
            return
        lease = self._read()
        if (lease.get("spec") or {}).get("holderIdentity") != self.identity:
            return
        lease["spec"].update(holderIdentity="", leaseDurationSeconds=1, renewTime=_micro_time())
        self.api.replace_namespaced_lease(self.name, self.namespace, lease, _request_timeout=5)
        self.renewed_at = None
        log.info("released lease %s/%s", self.namespace, self.name)


# -- watching ----------------------------------------------------------------------------


class Watched:
    """The objects of one kind, kept current by a watch; any change wakes the main loop."""

    def __init__(self, name, list_call, wake):
        from testbed.watch import Informer

        self.objects = {}
        self.lock = threading.Lock()
        self.wake = wake
        self.informer = Informer(name, list_call, self._on_event)

    @staticmethod
    def _key(obj):
        return "%s/%s" % (obj["metadata"].get("namespace", ""), obj["metadata"]["name"])

    def _on_event(self, kind, obj):
        with self.lock:
            if kind == "SYNC":
                self.objects = {self._key(o): o for o in obj}
            elif kind == "DELETED":
                self.objects.pop(self._key(obj), None)
            else:
                self.objects[self._key(obj)] = obj
        self.wake.set()

    def snapshot(self, by_name=False):
        with self.lock:
            if by_name:
                return {o["metadata"]["name"]: o for o in self.objects.values()}
            return dict(self.objects)


def main():
    logging.basicConfig(stream=sys.stdout, level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    missing = [key for key in ("PROVISIONER_NAME", "NFS_SERVER", "NFS_PATH") if not os.environ.get(key)]
    if missing:
        log.error("environment variable(s) %s must be set", ", ".join(missing))
        return 1
    if not MOUNT_PATH.is_dir():
        log.error("the NFS share is not mounted at %s", MOUNT_PATH)
        return 1

    from kubernetes import client, config

    config.load_incluster_config()
    core = client.CoreV1Api()
    storage = client.StorageV1Api(core.api_client)
    provisioner = Provisioner(core, os.environ["PROVISIONER_NAME"], os.environ["NFS_SERVER"], os.environ["NFS_PATH"])
    namespace = SA_NAMESPACE_FILE.read_text().strip() if SA_NAMESPACE_FILE.exists() else "default"
    identity = "%s_%s" % (socket.gethostname(), uuid.uuid4())
    election = LeaderElection(client.CoordinationV1Api(core.api_client), namespace, lock_name(provisioner.name),
                              identity)
    stopping = threading.Event()
    wake = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: (stopping.set(), wake.set()))
    log.info("provisioner %s: %s:%s mounted at %s; candidate %s for lease %s/%s", provisioner.name,
             provisioner.server, provisioner.share_path, MOUNT_PATH, identity, namespace, election.name)
    watched = {
        "claims": Watched("claims", core.list_persistent_volume_claim_for_all_namespaces, wake),
        "volumes": Watched("volumes", core.list_persistent_volume, wake),
        "classes": Watched("classes", storage.list_storage_class, wake),
    }
    for item in watched.values():
        item.informer.start()
    next_try = next_resync = 0.0
    was_leading = False
    while not stopping.is_set():
        now = time.monotonic()
        if now >= next_try:
            try:
                election.try_acquire_or_renew()
            except Exception as e:  # noqa: BLE001 - the API may be briefly away; leadership lapses on its own
                log.warning("lease %s: %s", election.name, e)
            next_try = now + RETRY_SECONDS
        leading = election.leading
        if was_leading and not leading:
            log.info("not leading any more")
        if leading and (wake.is_set() or not was_leading or now >= next_resync):
            wake.clear()
            try:
                provisioner.reconcile(watched["claims"].snapshot(), watched["volumes"].snapshot(),
                                      watched["classes"].snapshot(by_name=True))
            except Exception as e:  # noqa: BLE001 - keep serving like upstream; the next change retries
                log.warning("pass failed, retrying: %s", e)
            next_resync = now + RESYNC_SECONDS
        was_leading = leading
        if not leading:
            wake.clear()  # changes seen while following are covered by the first pass as leader
        until = min(next_try, next_resync) if leading else next_try
        wake.wait(max(0.0, until - time.monotonic()))
    for item in watched.values():
        item.informer.stop()
    try:
        election.release()
    except Exception as e:  # noqa: BLE001 - the lease then runs out on its own
        log.warning("releasing lease %s: %s", election.name, e)
    log.info("stopping on SIGTERM")
    return 0


if __name__ == "__main__":
    sys.exit(main())
