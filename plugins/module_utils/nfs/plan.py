# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""From the module's options and what the cluster has, to the list of changes.

``observe`` is the only function here that reads the cluster; ``decide`` is pure.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.nfs.diff import (
    classify,
    diff_of,
    plan_absent,
    plan_present,
)
from ansible_collections.stateful.kube.plugins.module_utils.nfs.manifests import dynamic_objects, object_id, owner
from ansible_collections.stateful.kube.plugins.module_utils.nfs.static import (
    STATIC_OWNER_LABEL,
    directory,
    plan_static,
    static_owner,
    static_volumes,
)


def desired_objects(params):
    # With state: absent only the names matter; the NFS fields may be left out.
    filled = dict(params, nfs_server=params.get("nfs_server") or "", nfs_path=params.get("nfs_path") or "/")
    if params["mode"] == "static":
        return static_volumes(filled)
    return dynamic_objects(filled)


def observe(params, cluster):
    desired = desired_objects(params)
    if params["mode"] == "static":
        observed = cluster.volumes_labelled(STATIC_OWNER_LABEL, static_owner(params))
        for pv in desired:
            name = pv["metadata"]["name"]
            if name not in observed:
                observed[name] = cluster.read(pv)
        return desired, observed
    return desired, cluster.observe(desired)


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
        report["directories"] = [directory(params, ordinal) for ordinal in range(params["static"]["replicas"])]
    return {"actions": actions, "problems": problems, "diff": diff_of(actions), "report": report}


def plan(params, cluster):
    desired, observed = observe(params, cluster)
    return decide(params, desired, observed)
