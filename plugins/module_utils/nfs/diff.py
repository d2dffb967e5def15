# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Compare what we want with what the cluster has, and plan the changes (pure functions).

An object is compared on the fields we set only: the API server adds defaults
(imagePullPolicy, a Deployment's revisionHistoryLimit, ...) that are not drift.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.nfs.manifests import OWNER_LABEL, object_id

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


def project(observed, desired):
    """``observed`` cut down to the fields of ``desired``: the "before" of a diff."""
    if isinstance(desired, dict) and isinstance(observed, dict):
        return dict((key, project(observed[key], value)) for key, value in desired.items() if key in observed)
    if isinstance(desired, list) and isinstance(observed, list):
        kept = min(len(observed), len(desired))
        return [project(observed[i], desired[i]) for i in range(kept)] + observed[kept:]
    return observed


def is_owned(observed, owner_value, label=OWNER_LABEL):
    return ((observed.get("metadata") or {}).get("labels") or {}).get(label) == owner_value


def classify(desired, observed, owner_value, label=OWNER_LABEL):
    """One of absent, in_sync, drifted, immutable (a StorageClass whose fixed fields differ) or foreign."""
    if observed is None:
        return "absent"
    if not is_owned(observed, owner_value, label):
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
        if is_owned(seen, owner_value):
            actions.append(action("delete", desired, seen))
        else:
            skipped.append("%s was not made by this module: left alone" % object_id(desired))
    return actions, skipped


def diff_of(actions):
    """Ansible's --diff: before and after of every object the plan touches, keyed by object."""
    return {
        "before": dict((a["object"], a["before"]) for a in actions),
        "after": dict((a["object"], a["after"]) for a in actions),
    }
