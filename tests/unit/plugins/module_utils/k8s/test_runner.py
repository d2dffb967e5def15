from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s import client, runner
from ansible_collections.stateful.kube.plugins.module_utils.k8s.errors import ModuleFailure


class Exited(Exception):
    pass


class Module:
    """What runner.run uses of an AnsibleModule."""

    def __init__(self, params, check_mode=False, diff=False):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff

    def exit_json(self, **result):
        raise Exited("exit", result)

    def fail_json(self, **result):
        raise Exited("fail", result)


def outcome(module, domain_runner, check_options=None):
    with pytest.raises(Exited) as exited:
        runner.run(module, domain_runner, check_options)
    return exited.value.args


def test_bad_options_fail_before_the_runner_or_a_client(monkeypatch):
    monkeypatch.setattr(client, "get_api_client", lambda module: pytest.fail("a client was built"))
    assert outcome(Module({}), lambda *a: pytest.fail("the runner ran"), lambda params: ["a is bad", "b too"]) == (
        "fail", {"msg": "a is bad; b too", "changed": False})


def test_the_runner_gets_clients_params_and_check_mode_and_its_diff_shows_in_diff_mode_only():
    seen = []

    def domain(clients, params, check_mode):
        seen.append((type(clients).__name__, params, check_mode))
        return {"changed": True, "diff": {"before": "", "after": "x"}}

    assert outcome(Module({"a": 1}, check_mode=True), domain) == ("exit", {"changed": True})
    assert seen == [("Clients", {"a": 1}, True)]
    assert outcome(Module({"a": 1}, diff=True), domain)[1]["diff"] == {"before": "", "after": "x"}


def test_a_failure_carries_its_advice_facts_and_changed():
    def domain(clients, params, check_mode):
        raise ModuleFailure("the plan failed at meet", "run the module again", changed=True, action={"action": "x"})

    assert outcome(Module({}), domain) == ("fail", {"msg": "the plan failed at meet; run the module again",
                                                    "changed": True, "action": {"action": "x"}})


def test_a_client_that_cannot_be_built_is_a_failure_like_any_other(monkeypatch):
    def no_config(module):
        raise client.CoreException("Invalid kube-config file. No configuration found.")

    monkeypatch.setattr(client, "get_api_client", no_config)
    result = outcome(Module({}), lambda clients, params, check_mode: clients.core)
    assert result == ("fail", {"changed": False, "msg": "Could not create a Kubernetes API client: Invalid "
                                                        "kube-config file. No configuration found."})
