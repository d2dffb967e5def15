from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import objects


def test_object_id_names_namespaced_and_cluster_objects():
    assert objects.object_id({"kind": "Role", "metadata": {"name": "r", "namespace": "n"}}) == "Role n/r"
    assert objects.object_id({"kind": "StorageClass", "metadata": {"name": "nfs"}}) == "StorageClass nfs"
