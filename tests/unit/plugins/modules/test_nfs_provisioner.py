from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import yaml

from ansible.module_utils.testing import patch_module_args
from ansible_collections.stateful.kube.plugins.module_utils.k8s import client
from ansible_collections.stateful.kube.plugins.module_utils.nfs import run as runner
from ansible_collections.stateful.kube.plugins.modules import nfs_provisioner as module


def _check_spec(documented, spec, where):
    assert set(documented) == set(spec), where
    for name, option in spec.items():
        doc = documented[name]
        assert doc["type"] == option["type"], (where, name)
        assert doc.get("default") == option.get("default"), (where, name)
        assert doc.get("required", False) == option.get("required", False), (where, name)
        assert doc.get("choices") == option.get("choices"), (where, name)
        assert doc.get("elements") == option.get("elements"), (where, name)
        if "options" in option:
            _check_spec(doc["suboptions"], option["options"], "%s.%s" % (where, name))


def test_documentation_matches_the_argument_spec():
    _check_spec(yaml.safe_load(module.DOCUMENTATION)["options"], module.MODULE_OPTIONS, "options")


@pytest.fixture
def no_cluster(monkeypatch):
    def refuse(module):
        raise AssertionError("the cluster was contacted for bad options")

    monkeypatch.setattr(client, "get_api_client", refuse)


def _run(args, capsys):
    with patch_module_args(args), pytest.raises(SystemExit) as exited:
        module.main()
    assert exited.value.code == 1
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True and not result.get("changed")
    return result


def test_bad_names_fail_before_the_cluster_is_contacted(no_cluster, capsys):
    result = _run({"namespace": "Storage", "nfs_server": "10.0.0.5", "nfs_path": "/srv/nfs",
                   "storage_class": {"name": "NFS"}}, capsys)
    assert result["msg"].startswith("namespace 'Storage' is not a valid DNS-1123 label")
    assert "storage_class.name 'NFS' is not a valid DNS-1123 subdomain" in result["msg"]


def test_an_unknown_storage_class_option_fails_before_the_cluster_is_contacted(no_cluster, capsys):
    result = _run({"namespace": "storage", "nfs_server": "10.0.0.5", "nfs_path": "/srv/nfs",
                   "storage_class": {"name": "nfs", "archive_on_delte": False}}, capsys)
    assert "archive_on_delte" in result["msg"]
    assert "Unsupported parameters" in result["msg"]


def test_an_unreachable_server_fails_validation_before_the_cluster_is_contacted(no_cluster, monkeypatch, capsys):
    monkeypatch.setattr(runner, "nfs_reachable", lambda server: "[Errno 111] Connection refused")
    result = _run({"namespace": "storage", "nfs_server": "10.0.0.5", "nfs_path": "/srv/nfs", "validate": True},
                  capsys)
    assert result["msg"] == ("NFS server 10.0.0.5 is unreachable on port 2049 from this host ([Errno 111] Connection "
                             "refused); nothing was changed. Check the address, that the server runs and that its "
                             "firewall allows NFS.")
