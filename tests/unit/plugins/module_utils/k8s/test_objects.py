from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import objects


def test_object_id_names_namespaced_and_cluster_objects():
    assert objects.object_id({"kind": "Role", "metadata": {"name": "r", "namespace": "n"}}) == "Role n/r"
    assert objects.object_id({"kind": "StorageClass", "metadata": {"name": "nfs"}}) == "StorageClass nfs"


def test_get_follows_a_dotted_path_and_defaults_on_any_missing_step(load):
    pod = load("pod_ready")
    assert objects.get(pod, "status.phase") == "Running"
    assert objects.get(pod, "status.nope.deeper", "x") == "x"
    assert objects.get(None, "metadata.name") is None


def test_a_typed_model_becomes_the_dict_the_api_sent():
    class ApiClient:
        def sanitize_for_serialization(self, model):
            return {"metadata": {"name": model}}

    assert objects.as_dict(ApiClient(), "web-0") == {"metadata": {"name": "web-0"}}
