"""`up` forgets kubernetes.core's API discovery cache for the bed's address (no bed needed)."""

import tempfile

import kubernetes
from ansible_collections.kubernetes.core.plugins.module_utils.client import discovery

from testbed import cluster, config


def test_up_removes_the_discovery_cache_kubernetes_core_writes_for_the_bed(tmp_path, monkeypatch):
    # kubernetes.core itself names and writes the file; only its calls to a server are left out.
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(discovery.Discoverer, "_load_server_info", lambda self: None)
    monkeypatch.setattr(discovery.Discoverer, "discover", lambda self: None)
    configuration = kubernetes.client.Configuration()
    configuration.host = config.APISERVER_URL
    discovery.Discoverer(kubernetes.client.ApiClient(configuration), None)
    other = tmp_path / "k8srcp-another-cluster.json"
    other.write_text("{}")
    assert len(list(tmp_path.glob("k8srcp-*.json"))) == 2

    cluster._forget_api_discovery()

    assert list(tmp_path.glob("k8srcp-*.json")) == [other], "only the bed's cache goes"
