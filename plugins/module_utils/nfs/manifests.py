# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The objects of a dynamic NFS provisioner, as the API would take them (pure functions).

One function per object, in the order they are created: the ServiceAccount, its
ClusterRole and binding (PVs, PVCs, StorageClasses, events, nothing more), a namespaced
Role on coordination.k8s.io leases for leader election (not the deprecated endpoints),
the Deployment (one replica, Recreate, so two provisioners never run at once) and the
StorageClass. Every object carries OWNER_LABEL, which is how this module knows what it
made, and therefore what ``state: absent`` may delete.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.labels import owned_labels

OWNER_LABEL = "stateful.kube/nfs-provisioner"
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
MOUNT_PATH = "/persistentvolumes"
UPSTREAM_NAME = "nfs-subdir-external-provisioner"


def owner(namespace, name):
    """The owner label's value: one provisioner instance."""
    return "%s.%s" % (namespace, name)


def _labels(params):
    return owned_labels({
        "app.kubernetes.io/name": UPSTREAM_NAME,
        "app.kubernetes.io/instance": params["name"],
        OWNER_LABEL: owner(params["namespace"], params["name"]),
    })


def _meta(params, name, namespaced=True):
    meta = {"name": name, "labels": _labels(params)}
    if namespaced:
        meta["namespace"] = params["namespace"]
    return meta


def cluster_role_name(params):
    # Cluster-scoped: the namespace keeps two instances of the same name apart.
    return "%s-%s" % (params["namespace"], params["name"])


def service_account(params):
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(params, params["name"])}


def cluster_role(params):
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRole",
        "metadata": _meta(params, cluster_role_name(params), namespaced=False),
        "rules": [
            {"apiGroups": [""], "resources": ["persistentvolumes"],
             "verbs": ["get", "list", "watch", "create", "delete"]},
            {"apiGroups": [""], "resources": ["persistentvolumeclaims"], "verbs": ["get", "list", "watch", "update"]},
            {"apiGroups": ["storage.k8s.io"], "resources": ["storageclasses"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": [""], "resources": ["events"], "verbs": ["create", "update", "patch"]},
        ],
    }


def _subjects(params):
    return [{"kind": "ServiceAccount", "name": params["name"], "namespace": params["namespace"]}]


def cluster_role_binding(params):
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": _meta(params, cluster_role_name(params), namespaced=False),
        "subjects": _subjects(params),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": cluster_role_name(params)},
    }


def leader_election_name(params):
    return "%s-leader-election" % params["name"]


def leader_election_role(params):
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "Role",
        "metadata": _meta(params, leader_election_name(params)),
        "rules": [
            {"apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
             "verbs": ["get", "list", "watch", "create", "update", "patch"]},
        ],
    }


def leader_election_binding(params):
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "RoleBinding",
        "metadata": _meta(params, leader_election_name(params)),
        "subjects": _subjects(params),
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": leader_election_name(params)},
    }


def deployment(params):
    selector = {"app.kubernetes.io/name": UPSTREAM_NAME, "app.kubernetes.io/instance": params["name"]}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": _meta(params, params["name"]),
        "spec": {
            "replicas": 1,
            "strategy": {"type": "Recreate"},
            "selector": {"matchLabels": selector},
            "template": {
                "metadata": {"labels": dict(selector)},
                "spec": {
                    "serviceAccountName": params["name"],
                    "securityContext": dict(params["pod_security_context"]),
                    "containers": [{
                        "name": "nfs-client-provisioner",
                        "image": params["image"],
                        "securityContext": dict(params["security_context"]),
                        "env": [
                            {"name": "PROVISIONER_NAME", "value": params["provisioner_name"]},
                            {"name": "NFS_SERVER", "value": params["nfs_server"]},
                            {"name": "NFS_PATH", "value": params["nfs_path"]},
                        ],
                        "volumeMounts": [{"name": "nfs-client-root", "mountPath": MOUNT_PATH}],
                    }],
                    "volumes": [{"name": "nfs-client-root",
                                 "nfs": {"server": params["nfs_server"], "path": params["nfs_path"]}}],
                },
            },
        },
    }


def storage_class_parameters(options):
    """The StorageClass's ``parameters``: what the provisioner reads when it makes or deletes a volume."""
    parameters = {"archiveOnDelete": "true" if options["archive_on_delete"] else "false"}
    if options.get("on_delete"):
        parameters["onDelete"] = options["on_delete"]
    if options.get("path_pattern"):
        parameters["pathPattern"] = options["path_pattern"]
    return parameters


def storage_class(params):
    options = params["storage_class"]
    meta = _meta(params, options["name"], namespaced=False)
    meta["annotations"] = {DEFAULT_CLASS_ANNOTATION: "true" if options["default_class"] else "false"}
    manifest = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": meta,
        "provisioner": params["provisioner_name"],
        "parameters": storage_class_parameters(options),
        "reclaimPolicy": options["reclaim_policy"],
        "volumeBindingMode": options["volume_binding_mode"],
        "allowVolumeExpansion": options["allow_volume_expansion"],
    }
    if options.get("mount_options"):
        manifest["mountOptions"] = list(options["mount_options"])
    return manifest


def dynamic_objects(params):
    """Every object of the dynamic provisioner, in creation order."""
    return [
        service_account(params),
        cluster_role(params),
        cluster_role_binding(params),
        leader_election_role(params),
        leader_election_binding(params),
        deployment(params),
        storage_class(params),
    ]
