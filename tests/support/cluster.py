"""Objects the tests and benchmarks make for themselves: namespaces and static storage.

Everything takes clients from the kubernetes library (built from the caller's kubeconfig)
and removes what it made on the way out.
"""

import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

from tests.support.waiting import wait_for


def server_release(api_client):
    """``(major, minor)`` of the API server, read by the collection's own rule (a vendor's minor "27+" is 27)."""
    import sys

    from kubernetes import client as k8s_client

    from testbed.testing import collections_path

    sys.path.insert(0, str(collections_path()))
    from ansible_collections.stateful.kube.plugins.module_utils.k8s import versions

    version = k8s_client.VersionApi(api_client).get_code()
    return versions.server_release({"major": version.major, "minor": version.minor})


def _service_accounts_get_token_secrets(api_client):
    # Before 1.24 the token controller makes a Secret for every ServiceAccount, and the
    # ServiceAccount admission refuses pods ("No API token found for service account
    # default") until it is listed on the account. From 1.24 on there is no such Secret.
    return server_release(api_client) < (1, 24)


def enforcing(level):
    """The labels of a namespace whose Pod Security admission enforces ``level`` (latest version of the rules)."""
    return {"pod-security.kubernetes.io/enforce": level, "pod-security.kubernetes.io/enforce-version": "latest"}


def create_namespace(core_v1, name, timeout=30, labels=None):
    """Create namespace ``name`` and return once pods may be created in it (its default ServiceAccount is ready)."""
    from kubernetes import client as k8s_client

    core_v1.create_namespace(k8s_client.V1Namespace(metadata=k8s_client.V1ObjectMeta(name=name, labels=labels)))
    needs_token = _service_accounts_get_token_secrets(core_v1.api_client)

    def default_account_ready():
        accounts = core_v1.list_namespaced_service_account(name, field_selector="metadata.name=default").items
        return bool(accounts) and (bool(accounts[0].secrets) or not needs_token)

    wait_for("namespace %s: its default ServiceAccount%s" % (name, " and its token Secret" if needs_token else ""),
             default_account_ready, timeout=timeout, interval=0.1)
    return name


def unique_name(prefix):
    """``prefix-xxxxx``, a valid namespace name (prefix cut to fit, lower case, no underscores)."""
    prefix = "".join(c for c in prefix.replace("_", "-").lower() if c.isalnum() or c == "-")[:56].strip("-")
    return "%s-%s" % (prefix, uuid.uuid4().hex[:5])


@contextmanager
def fresh_namespace(core_v1, prefix, labels=None):
    """A new namespace named ``prefix-xxxxx`` (with ``labels``) for the block; deleted afterwards (with all in it)."""
    name = create_namespace(core_v1, unique_name(prefix), labels=labels)
    try:
        yield name
    finally:
        core_v1.delete_namespace(name)


@contextmanager
def static_storage(api_client, namespace, volumes=10, root="/tmp/stateful-kube-redis-pv"):
    """A StorageClass without provisioner and ``volumes`` hostPath PVs for ``namespace``; removed afterwards."""
    from kubernetes import client as k8s_client

    storage = k8s_client.StorageV1Api(api_client)
    core = k8s_client.CoreV1Api(api_client)
    name = "static-" + namespace
    folder = Path(root) / namespace
    storage.create_storage_class(k8s_client.V1StorageClass(
        metadata=k8s_client.V1ObjectMeta(name=name), provisioner="kubernetes.io/no-provisioner",
        volume_binding_mode="Immediate", reclaim_policy="Retain"))
    for i in range(volumes):
        path = folder / ("pv-%d" % i)
        os.makedirs(path, exist_ok=True)
        # Nothing chowns a hostPath volume (fsGroup does not apply to it), and the roles'
        # pods run as a non-root user (restricted Pod Security): the folder must let them write.
        os.chmod(path, 0o777)
        core.create_persistent_volume(k8s_client.V1PersistentVolume(
            metadata=k8s_client.V1ObjectMeta(name="%s-%d" % (name, i)),
            spec=k8s_client.V1PersistentVolumeSpec(
                storage_class_name=name, capacity={"storage": "1Gi"}, access_modes=["ReadWriteOnce"],
                persistent_volume_reclaim_policy="Retain",
                host_path=k8s_client.V1HostPathVolumeSource(path=str(path)))))
    try:
        yield name
    finally:
        for i in range(volumes):
            core.delete_persistent_volume("%s-%d" % (name, i))
        storage.delete_storage_class(name)
        shutil.rmtree(folder, ignore_errors=True)
