from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import labels


def test_owned_objects_say_who_manages_them_and_keep_the_domain_labels():
    assert labels.owned_labels({"stateful.kube/nfs-static": "data.redis.data"}) == {
        "app.kubernetes.io/managed-by": "stateful.kube", "stateful.kube/nfs-static": "data.redis.data"}


def test_an_object_is_owned_only_with_the_exact_owner_value():
    obj = {"metadata": {"labels": {"stateful.kube/nfs-provisioner": "storage.nfs"}}}
    assert labels.is_owned(obj, "stateful.kube/nfs-provisioner", "storage.nfs")
    assert not labels.is_owned(obj, "stateful.kube/nfs-provisioner", "other.nfs")
    assert not labels.is_owned({"metadata": {}}, "stateful.kube/nfs-provisioner", "storage.nfs")
