from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import client


class FakeDynamic:
    """Stands in for kubernetes.core's dynamic client: records each raw request."""

    def __init__(self):
        self.requests = []

    def request(self, method, path, **kwargs):
        self.requests.append((method, path, kwargs))
        return "raw response"


class FakeClients:
    def __init__(self):
        self.dynamic = FakeDynamic()
        self.k8s = type("K8SClient", (), {"client": self.dynamic})()
        self.api_client = object()


def test_a_raw_json_list_goes_through_the_dynamic_client_with_its_query():
    clients = FakeClients()
    core = client.LazyApi("CoreV1Api", clients)
    found = core.list_namespaced_pod("data", label_selector="app=web", watch=True, resource_version="7",
                                     _preload_content=False, _request_timeout=(10, 320))
    assert found == "raw response"
    assert clients.dynamic.requests == [("get", "/api/v1/namespaces/data/pods", {
        "serialize": False, "label_selector": "app=web", "watch": True, "resource_version": "7",
        "_request_timeout": (10, 320)})]


def test_name_and_namespace_fill_the_path_positionally_or_by_keyword():
    clients = FakeClients()
    core = client.LazyApi("CoreV1Api", clients)
    core.read_namespaced_persistent_volume_claim("data-web-0", "data", _preload_content=False)
    core.read_namespaced_persistent_volume_claim(name="data-web-1", namespace="db", _preload_content=False)
    client.LazyApi("StorageV1Api", clients).read_storage_class("nfs-client", _preload_content=False)
    assert [request[1] for request in clients.dynamic.requests] == [
        "/api/v1/namespaces/data/persistentvolumeclaims/data-web-0",
        "/api/v1/namespaces/db/persistentvolumeclaims/data-web-1",
        "/apis/storage.k8s.io/v1/storageclasses/nfs-client",
    ]


def test_a_call_that_wants_models_goes_to_the_typed_api_built_once(monkeypatch):
    built = []

    class TypedApi:
        def __init__(self, api_client):
            built.append(api_client)

        def list_namespaced_pod(self, namespace, **kwargs):
            return ("typed", namespace)

        def read_namespaced_secret(self, name, namespace):
            return ("typed", name, namespace)

    monkeypatch.setattr(client, "k8s_client", type("Module", (), {"CoreV1Api": TypedApi}))
    clients = FakeClients()
    core = client.LazyApi("CoreV1Api", clients)
    assert core.list_namespaced_pod("data") == ("typed", "data")
    assert core.read_namespaced_secret("redis", "data") == ("typed", "redis", "data")
    assert built == [clients.api_client]
    assert clients.dynamic.requests == []


def test_nothing_is_built_until_a_call_is_made(monkeypatch):
    monkeypatch.setattr(client, "k8s_client", None)  # any use of a typed API class would fail
    clients = FakeClients()
    for name in ("CoreV1Api", "AppsV1Api", "StorageV1Api", "RbacAuthorizationV1Api"):
        client.LazyApi(name, clients)
    client.LazyApi("AppsV1Api", clients).list_namespaced_stateful_set(
        "data", field_selector="metadata.name=web", _preload_content=False)
    assert clients.dynamic.requests[0][1] == "/apis/apps/v1/namespaces/data/statefulsets"
