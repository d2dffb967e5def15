# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner of nfs_provisioner: observe, plan (``plan.decide``), apply, wait and validate, report.

The planning is pure (``plan``); everything that talks to the cluster is ``cluster.Cluster``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.errors import ModuleFailure
from ansible_collections.stateful.kube.plugins.module_utils.nfs.cluster import Cluster, ClusterError, nfs_reachable
from ansible_collections.stateful.kube.plugins.module_utils.k8s import pod_security
from ansible_collections.stateful.kube.plugins.module_utils.nfs.directories import helper_pod
from ansible_collections.stateful.kube.plugins.module_utils.nfs.plan import decide


def check_server(params, reachable=None):
    """With ``validate``, refuse before any change when the NFS server does not answer on port 2049."""
    if not params["validate"] or params["state"] != "present":
        return
    why = (reachable or nfs_reachable)(params["nfs_server"])
    if why:
        raise ModuleFailure("NFS server %s is unreachable on port 2049 from this host (%s); nothing was changed. Check "
                            "the address, that the server runs and that its firewall allows NFS."
                            % (params["nfs_server"], why))


def pods_to_check(params, desired):
    """``[(what, pod spec)]``: the pods this run would make (the provisioner's, or the folder-making one)."""
    if params["state"] != "present":
        return []
    if params["mode"] == "dynamic":
        return [("Deployment %s/%s" % (params["namespace"], params["name"]), obj["spec"]["template"]["spec"])
                for obj in desired if obj["kind"] == "Deployment"]
    if not params["static"]["create_directories"]:
        return []
    pod = helper_pod("mkdir", params["namespace"], params["nfs_server"], params["nfs_path"], [],
                     params["static"]["helper_image"], {},
                     {"pod": params["pod_security_context"], "container": params["security_context"]})
    return [("the pod that makes the static PVs' folders in %s" % params["namespace"], pod["spec"])]


def check_pod_security(params, namespace, desired):
    """Refuse before any change a pod the namespace's Pod Security level would not let run.

    The provisioner and the folder-making pod mount the export as an ``nfs`` volume, a type
    only ``baseline`` and ``privileged`` allow: in a ``restricted`` namespace that field is named.
    """
    level = pod_security.enforced_level(namespace)
    for what, spec in pods_to_check(params, desired):
        found = pod_security.violations(spec, level)
        if found:
            raise ModuleFailure(pod_security.refusal(level, params["namespace"], what, found))


def finish(cluster, params, report):
    """After the planned changes: the Deployment's wait and the validation claim (dynamic), the folders (static).

    Returns whether it changed anything itself (folders made).
    """
    if params["state"] != "present":
        return False
    if params["mode"] == "dynamic":
        if params["wait"] or params["validate"]:
            report["available_after"] = cluster.wait_deployment(params["namespace"], params["name"],
                                                                params["wait_timeout"])
        if params["validate"]:
            report["validation"] = cluster.validate(params, params["validate_timeout"])
        return False
    if not params["static"]["create_directories"]:
        return False
    report["directories_created"] = cluster.ensure_directories(params, report["directories"],
                                                               params["static"]["directories_timeout"])
    return bool(report["directories_created"])


def run(clients, params, check_mode=False, cluster=None, reachable=None):
    """The module's result; ModuleFailure with the report so far when a problem or a failed step stops it.

    ``cluster`` and ``reachable`` are the seams a test replaces.
    """
    check_server(params, reachable)
    cluster = cluster or Cluster(clients)
    desired, observed = cluster.observe(params)
    check_pod_security(params, cluster.namespace(params["namespace"]), desired)
    result = decide(params, desired, observed)
    report = result["report"]
    if result["problems"]:
        raise ModuleFailure("nothing was changed: " + "; ".join(result["problems"]), **report)
    changed = bool(result["actions"])
    if check_mode:
        return dict(report, changed=changed, diff=result["diff"])
    try:
        for action in result["actions"]:
            cluster.apply(action)
        changed = finish(cluster, params, report) or changed
    except ClusterError as e:
        raise ModuleFailure(str(e), changed=changed, diff=result["diff"], **report) from None
    return dict(report, changed=changed, diff=result["diff"])
