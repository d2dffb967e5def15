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

Differences, on purpose: no leader election (the test bed runs one replica, and the
Deployment's Recreate strategy never runs two); it polls the API every second instead of
keeping informers; events are recorded for success and failure only.
"""

import json
import logging
import os
import re
import shutil
import signal
import sys
import time
from pathlib import Path

MOUNT_PATH = Path("/persistentvolumes")
POLL_SECONDS = 1.0
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

    def storage_classes(self):
        from kubernetes import client

        storage = client.StorageV1Api(self.core.api_client)
        items = self._get(storage.list_storage_class)["items"]
        return {item["metadata"]["name"]: item for item in items}

    def run_once(self):
        classes = self.storage_classes()
        for claim in self._get(self.core.list_persistent_volume_claim_for_all_namespaces)["items"]:
            storage_class = classes.get(claim["spec"].get("storageClassName") or "")
            if wants_us(claim, storage_class, self.name):
                self.provision(claim, storage_class)
        for volume in self._get(self.core.list_persistent_volume)["items"]:
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
    provisioner = Provisioner(core, os.environ["PROVISIONER_NAME"], os.environ["NFS_SERVER"], os.environ["NFS_PATH"])
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    log.info("provisioner %s: %s:%s mounted at %s", provisioner.name, provisioner.server, provisioner.share_path,
             MOUNT_PATH)
    while not stopping:
        try:
            provisioner.run_once()
        except Exception as e:  # noqa: BLE001 - the API may be briefly away; keep serving like upstream
            log.warning("pass failed, retrying: %s", e)
        deadline = time.monotonic() + POLL_SECONDS
        while not stopping and time.monotonic() < deadline:
            time.sleep(0.1)
    log.info("stopping on SIGTERM")
    return 0


if __name__ == "__main__":
    sys.exit(main())
