# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nfs_provisioner module's input, checked before anything is read or changed (pure)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.names import name_problems
from ansible_collections.stateful.kube.plugins.module_utils.nfs.manifests import owner
from ansible_collections.stateful.kube.plugins.module_utils.nfs.static import ordinals, static_owner, volume_name


def check_options(params):
    """Every problem with the options, as messages a person can act on (empty when fine)."""
    problems = name_problems([("Namespace", "namespace", params["namespace"]),
                              ("Deployment", "name", params["name"])])
    if params["state"] == "present":
        if not params.get("nfs_server"):
            problems.append("nfs_server is required with state: present")
        if not (params.get("nfs_path") or "").startswith("/"):
            problems.append("nfs_path must be an absolute path on the NFS server, got %r" % params.get("nfs_path"))
    if params["mode"] == "dynamic":
        problems.extend(name_problems([("StorageClass", "storage_class.name", params["storage_class"]["name"])]))
        if len(owner(params["namespace"], params["name"])) > 63:
            problems.append("namespace and name together are longer than 62 characters: the owner label "
                            "'<namespace>.<name>' would not fit in a label value")
        return problems
    static = params.get("static")
    if not static:
        return problems + ["mode: static needs the static option (statefulset, claim_template, replicas)"]
    problems.extend(name_problems([("StatefulSet", "static.statefulset", static["statefulset"]),
                                   ("volumeClaimTemplate", "static.claim_template", static["claim_template"])]))
    if static["replicas"] < 0:
        problems.append("static.replicas must be 0 or more, got %d" % static["replicas"])
    elif static["replicas"] > 0:
        problems.extend(name_problems([("PersistentVolume", "PersistentVolume name",
                                        volume_name(params, ordinals(params)[-1]))]))
    if (static.get("first_ordinal") or 0) < 0:
        problems.append("static.first_ordinal must be 0 or more, got %d" % static["first_ordinal"])
    if len(static_owner(params)) > 63:
        problems.append("namespace, static.statefulset and static.claim_template together are too long for "
                        "the owner label value (63 characters)")
    return problems
