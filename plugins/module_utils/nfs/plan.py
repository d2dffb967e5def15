# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""From the module's options and what the cluster has, to the list of changes (pure functions).

An object is compared on the fields we set only: the API server adds defaults
(imagePullPolicy, a Deployment's revisionHistoryLimit, ...) that are not drift. An object
is ours when it carries our owner label; nothing else is ever changed or deleted.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.labels import is_owned
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import object_id
from ansible_collections.stateful.kube.plugins.module_utils.nfs.diff import diff_of, project
from ansible_collections.stateful.kube.plugins.module_utils.nfs.manifests import OWNER_LABEL, dynamic_objects, owner
from ansible_collections.stateful.kube.plugins.module_utils.nfs.static import (
    STATIC_OWNER_LABEL,
    directories,
    is_bound,
    static_owner,
    static_volumes,
)

# Kubernetes refuses to change these on a StorageClass.
STORAGECLASS_IMMUTABLE = ("provisioner", "parameters", "reclaimPolicy", "volumeBindingMode")


def contains(observed, desired):
    """Whether ``observed`` has every field of ``desired`` with the same value."""
    if isinstance(desired, dict):
        if not isinstance(observed, dict):
            return False
        return all(contains(observed.get(key), value) for key, value in desired.items())
    if isinstance(desired, list):
        if not isinstance(observed, list) or len(observed) != len(desired):
            return False
        return all(contains(observed[i], wanted) for i, wanted in enumerate(desired))
    return observed == desired


def classify(desired, observed, owner_value, label=OWNER_LABEL):
    """One of absent, in_sync, drifted, immutable (a StorageClass whose fixed fields differ) or foreign."""
    if observed is None:
        return "absent"
    if not is_owned(observed, label, owner_value):
        return "foreign"
    # Exact comparison, before the subset one: a parameter we no longer set is a difference too.
    if desired["kind"] == "StorageClass" and immutable_fields(desired, observed):
        return "immutable"
    if contains(observed, desired):
        return "in_sync"
    return "drifted"


def immutable_fields(desired, observed):
    return [field for field in STORAGECLASS_IMMUTABLE if observed.get(field) != desired.get(field)]


def action(verb, desired, observed):
    return {
        "action": verb,
        "object": object_id(desired),
        "kind": desired["kind"],
        "name": desired["metadata"]["name"],
        "namespace": desired["metadata"].get("namespace"),
        "manifest": desired,
        "before": project(observed, desired) if observed is not None else {},
        "after": desired if verb != "delete" else {},
    }


def plan_present(desired_objects, observed, owner_value, recreate_storageclass=False):
    """(actions, problems) to make every desired object exist as desired.

    ``observed`` maps object_id -> the object as read (None when missing).
    """
    actions = []
    problems = []
    for desired in desired_objects:
        seen = observed.get(object_id(desired))
        state = classify(desired, seen, owner_value)
        if state == "absent":
            actions.append(action("create", desired, None))
        elif state == "drifted":
            actions.append(action("update", desired, seen))
        elif state == "foreign":
            problems.append(
                "%s exists but was not made by this module (it has no %s=%s label): delete or rename it, or choose "
                "another name" % (object_id(desired), OWNER_LABEL, owner_value))
        elif state == "immutable":
            if recreate_storageclass:
                actions.append(action("recreate", desired, seen))
            else:
                fields = immutable_fields(desired, seen)
                problems.append(
                    "%s differs in %s, which Kubernetes does not allow to change on a StorageClass (have %s, want %s). "
                    "Set recreate_storageclass: true to delete and recreate it; existing PVs and their data are "
                    "not touched." % (
                        object_id(desired), ", ".join(fields),
                        dict((f, seen.get(f)) for f in fields), dict((f, desired.get(f)) for f in fields)))
    return actions, problems


def plan_absent(desired_objects, observed, owner_value):
    """(actions, skipped): delete what this module made, newest first; leave anything else alone."""
    actions = []
    skipped = []
    for desired in reversed(desired_objects):
        seen = observed.get(object_id(desired))
        if seen is None:
            continue
        if is_owned(seen, OWNER_LABEL, owner_value):
            actions.append(action("delete", desired, seen))
        else:
            skipped.append("%s was not made by this module: left alone" % object_id(desired))
    return actions, skipped


def _needs_recreate(desired, observed):
    # A PV's volume source cannot change, and a claimRef to another claim would hand the
    # data to someone else: both mean a new PV, never an edit.
    spec, seen = desired["spec"], observed.get("spec") or {}
    return not contains(seen.get("nfs"), spec["nfs"]) or not contains(seen.get("claimRef"), spec["claimRef"])


def _claim_ref(volume):
    ref = (volume.get("spec") or {}).get("claimRef") or {}
    return "%s/%s" % (ref.get("namespace"), ref.get("name"))


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
            if seen is None or not is_owned(seen, STATIC_OWNER_LABEL, owner_value):
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


def desired_objects(params):
    # With state: absent only the names matter; the NFS fields may be left out.
    filled = dict(params, nfs_server=params.get("nfs_server") or "", nfs_path=params.get("nfs_path") or "/")
    if params["mode"] == "static":
        return static_volumes(filled)
    return dynamic_objects(filled)


def decide(params, desired, observed):
    """{"actions", "problems", "diff", "report"} for the desired and observed objects."""
    kept = []
    if params["mode"] == "static":
        owner_value = static_owner(params)
        actions, problems, kept = plan_static(desired, observed, owner_value, params["state"], params["force"])
        states = dict((name, classify(pv, observed.get(name), owner_value, STATIC_OWNER_LABEL))
                      for name, pv in ((p["metadata"]["name"], p) for p in desired))
    else:
        owner_value = owner(params["namespace"], params["name"])
        if params["state"] == "present":
            actions, problems = plan_present(desired, observed, owner_value, params["recreate_storageclass"])
        else:
            actions, problems = [], []
            actions, kept = plan_absent(desired, observed, owner_value)
        states = dict((object_id(m), classify(m, observed.get(object_id(m)), owner_value)) for m in desired)
    report = {
        "actions": ["%s %s" % (a["action"], a["object"]) for a in actions],
        "objects": states,
        "kept": kept,
    }
    if params["mode"] == "static":
        report["directories"] = directories(params)
    return {"actions": actions, "problems": problems, "diff": diff_of(actions), "report": report}
