from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest
import yaml

from ansible.module_utils.testing import patch_module_args
from ansible_collections.stateful.kube.plugins.module_utils.k8s import client
from ansible_collections.stateful.kube.plugins.modules import statefulset_wait_ordered as module


def test_documentation_matches_the_argument_spec():
    documented = yaml.safe_load(module.DOCUMENTATION)["options"]
    assert set(documented) == set(module.MODULE_OPTIONS)
    for name, spec in module.MODULE_OPTIONS.items():
        assert documented[name]["type"] == spec["type"], name
        assert documented[name].get("default") == spec.get("default"), name
        assert documented[name].get("required", False) == spec.get("required", False), name


def test_bad_options_fail_before_any_client_is_built(monkeypatch, capsys):
    def no_client(module):
        raise AssertionError("a client was built for bad options")

    monkeypatch.setattr(client, "get_api_client", no_client)
    with patch_module_args({"name": "Web_1", "namespace": "demo", "timeout": 0}), pytest.raises(SystemExit) as exited:
        module.main()
    assert exited.value.code == 1
    result = json.loads(capsys.readouterr().out)
    assert result["failed"] is True
    assert result["changed"] is False
    assert result["msg"] == ("name 'Web_1' is not a valid DNS-1123 subdomain (lower case letters, digits, '-' and '.', "
                             "starting and ending with a letter or digit); "
                             "timeout must be a positive number of seconds, got 0")
