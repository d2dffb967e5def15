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

from ansible_collections.stateful.kube.plugins.module_utils.nfs.diff import action, classify, contains, is_owned
from ansible_collections.stateful.kube.plugins.module_utils.k8s.ordinals import claim_name

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
            "labels": {
                "app.kubernetes.io/managed-by": "stateful.kube",
                STATIC_OWNER_LABEL: static_owner(params),
                ORDINAL_LABEL: str(ordinal),
            },
        },
        "spec": spec,
    }


def static_volumes(params):
    return [static_volume(params, ordinal) for ordinal in range(params["static"]["replicas"])]


def is_bound(volume):
    return ((volume.get("status") or {}).get("phase")) == "Bound"


def _needs_recreate(desired, observed):
    # A PV's volume source cannot change, and a claimRef to another claim would hand the
    # data to someone else: both mean a new PV, never an edit.
    spec, seen = desired["spec"], observed.get("spec") or {}
    return not contains(seen.get("nfs"), spec["nfs"]) or not contains(seen.get("claimRef"), spec["claimRef"])


def plan_static(desired, observed, owner_value, state, force=False):
    """(actions, problems, kept) for the static PVs.

    ``observed`` maps PV name -> PV for the desired names and every PV with our owner label.
    A bound PV is never deleted or recreated unless ``force``; ones above the replica count
    are kept when present (the StatefulSet keeps their claims too).
    """
    actions, problems, kept = [], [], []
    if state == "absent":
        for name in sorted(observed):
            seen = observed[name]
            if seen is None or not is_owned(seen, owner_value, STATIC_OWNER_LABEL):
                continue
            if is_bound(seen) and not force:
                kept.append("PersistentVolume %s is bound to %s: kept (force: true deletes it; the data on the NFS "
                            "server stays either way)" % (name, _claim_ref(seen)))
                continue
            actions.append(action("delete", seen, seen))
        return actions, problems, kept
    for pv in desired:
        name = pv["metadata"]["name"]
        seen = observed.get(name)
        state_of = classify(pv, seen, owner_value, STATIC_OWNER_LABEL)
        if state_of == "absent":
            actions.append(action("create", pv, None))
        elif state_of == "foreign":
            problems.append("PersistentVolume %s exists but was not made by this module (no %s=%s label): delete it "
                            "or use another StatefulSet name" % (name, STATIC_OWNER_LABEL, owner_value))
        elif state_of == "drifted":
            if not _needs_recreate(pv, seen):
                actions.append(action("update", pv, seen))
            elif is_bound(seen) and not force:
                problems.append("PersistentVolume %s is bound to %s and its NFS source or claim differs from the "
                                "request: it is left as it is; force: true deletes and recreates it (the claim must "
                                "then be recreated too)" % (name, _claim_ref(seen)))
            else:
                actions.append(action("recreate", pv, seen))
    return actions, problems, kept


def _claim_ref(volume):
    ref = (volume.get("spec") or {}).get("claimRef") or {}
    return "%s/%s" % (ref.get("namespace"), ref.get("name"))
