from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy

import pytest


DYNAMIC = {
    "state": "present",
    "mode": "dynamic",
    "namespace": "storage",
    "name": "nfs-prov",
    "nfs_server": "10.0.0.5",
    "nfs_path": "/srv/nfs/kube",
    "image": "registry.k8s.io/sig-storage/nfs-subdir-external-provisioner:v4.0.2",
    "provisioner_name": "k8s-sigs.io/nfs-subdir-external-provisioner",
    "pod_security_context": {"seccompProfile": {"type": "RuntimeDefault"}},
    "security_context": {"allowPrivilegeEscalation": False},
    "storage_class": {
        "name": "nfs-client",
        "default_class": False,
        "reclaim_policy": "Delete",
        "volume_binding_mode": "Immediate",
        "allow_volume_expansion": False,
        "mount_options": [],
        "archive_on_delete": True,
        "on_delete": None,
        "path_pattern": None,
    },
    "recreate_storageclass": False,
    "static": None,
    "force": False,
    "wait": False,
    "wait_timeout": 120,
    "validate": False,
    "validate_timeout": 60,
}


@pytest.fixture
def dynamic_params():
    return copy.deepcopy(DYNAMIC)


@pytest.fixture
def static_params():
    params = copy.deepcopy(DYNAMIC)
    params["mode"] = "static"
    params["namespace"] = "data"
    params["static"] = {
        "statefulset": "redis",
        "claim_template": "data",
        "replicas": 3,
        "size": "1Gi",
        "access_modes": ["ReadWriteOnce"],
        "storage_class_name": "",
        "reclaim_policy": "Retain",
        "mount_options": [],
        "create_directories": True,
        "helper_image": "busybox:1.36",
        "directories_timeout": 60,
    }
    return params


@pytest.fixture
def served():
    """``served(manifest, **status)``: the object as the API server returns it."""
    return as_served


def as_served(manifest, **status):
    """The object as the API server returns it: defaults and server-set metadata added."""
    served = copy.deepcopy(manifest)
    served["metadata"].update({"uid": "0d6c7c9e-1b7e-4c55-9f0a-3d0e1f2a3b4c", "resourceVersion": "4711",
                               "creationTimestamp": "2024-05-01T10:00:00Z"})
    if manifest["kind"] == "Deployment":
        spec = served["spec"]
        spec.update({"revisionHistoryLimit": 10, "progressDeadlineSeconds": 600})
        pod = spec["template"]["spec"]
        pod.update({"restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
                    "terminationGracePeriodSeconds": 30, "serviceAccount": pod["serviceAccountName"]})
        pod.setdefault("securityContext", {})
        for container in pod["containers"]:
            container.update({"imagePullPolicy": "IfNotPresent", "resources": {},
                              "terminationMessagePath": "/dev/termination-log",
                              "terminationMessagePolicy": "File"})
    if manifest["kind"] == "ServiceAccount":
        served["secrets"] = [{"name": "%s-token-x7k2p" % manifest["metadata"]["name"]}]
    if manifest["kind"] == "PersistentVolume":
        served["spec"]["claimRef"].update({"uid": "5f1e", "resourceVersion": "99"})
        served["status"] = dict({"phase": "Available"}, **status)
    return served
