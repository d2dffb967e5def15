# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PersistentVolumes made ahead of a StatefulSet, one per ordinal (pure functions).

Each PV is pre-bound with a claimRef to the claim the StatefulSet controller will create
for that ordinal (the name comes from k8s.ordinals.claim_name, the one place
that knows it), so the claim binds the moment it appears and no provisioner is needed.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.labels import owned_labels
from ansible_collections.stateful.kube.plugins.module_utils.k8s.ordinals import claim_name, ordinal_range

STATIC_OWNER_LABEL = "stateful.kube/nfs-static"
ORDINAL_LABEL = "stateful.kube/ordinal"


def static_owner(params):
    static = params["static"]
    return "%s.%s.%s" % (params["namespace"], static["statefulset"], static["claim_template"])


def volume_name(params, ordinal):
    """PVs are cluster-wide: the namespace keeps two namespaces' claims apart."""
    return "%s-%s" % (params["namespace"], _claim(params, ordinal))


def _claim(params, ordinal):
    static = params["static"]
    return claim_name(static["claim_template"], static["statefulset"], ordinal)


def directory(params, ordinal):
    """The PV's folder on the NFS server: one per claim, under nfs_path."""
    return "%s/%s-%s" % (params["nfs_path"].rstrip("/"), params["namespace"], _claim(params, ordinal))


def static_volume(params, ordinal):
    static = params["static"]
    spec = {
        "capacity": {"storage": static["size"]},
        "accessModes": list(static["access_modes"]),
        "persistentVolumeReclaimPolicy": static["reclaim_policy"],
        "volumeMode": "Filesystem",
        "claimRef": {"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                     "namespace": params["namespace"], "name": _claim(params, ordinal)},
        "nfs": {"server": params["nfs_server"], "path": directory(params, ordinal)},
    }
    # The API drops an empty class name, so setting "" would look like drift on every run.
    if static["storage_class_name"]:
        spec["storageClassName"] = static["storage_class_name"]
    if static.get("mount_options"):
        spec["mountOptions"] = list(static["mount_options"])
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {
            "name": volume_name(params, ordinal),
            "labels": owned_labels({STATIC_OWNER_LABEL: static_owner(params), ORDINAL_LABEL: str(ordinal)}),
        },
        "spec": spec,
    }


def ordinals(params):
    """The StatefulSet ordinals that get a PV: ``replicas`` of them from ``first_ordinal``."""
    static = params["static"]
    return ordinal_range(static.get("first_ordinal") or 0, static["replicas"])


def static_volumes(params):
    return [static_volume(params, ordinal) for ordinal in ordinals(params)]


def directories(params):
    """The PVs' folders on the NFS server, in ordinal order."""
    return [directory(params, ordinal) for ordinal in ordinals(params)]


def is_bound(volume):
    return ((volume.get("status") or {}).get("phase")) == "Bound"
