from __future__ import absolute_import, division, print_function

__metaclass__ = type

import yaml

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import diff
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.run import WHAT_TO_DO
from ansible_collections.stateful.kube.plugins.modules import redis_cluster_bootstrap as module


def test_documentation_lists_exactly_the_module_options():
    documented = yaml.safe_load(module.DOCUMENTATION)["options"]
    assert set(documented) == set(module.MODULE_OPTIONS)
    for name, spec in module.MODULE_OPTIONS.items():
        assert documented[name]["type"] == spec["type"], name
        assert documented[name].get("default") == spec.get("default"), name
        assert documented[name].get("choices") == spec.get("choices"), name


def test_the_password_is_no_log():
    assert module.MODULE_OPTIONS["password"]["no_log"] is True


def test_every_member_error_kind_says_what_to_do():
    assert set(WHAT_TO_DO) == {"auth", "not_cluster", "unreachable", "timeout", "protocol"}


def test_the_diff_shows_the_topology_and_only_the_changing_actions():
    result = {
        "state": "scale_up",
        "topology": [{"member": "redis-0", "address": "10.244.1.2:6379", "role": "master", "slots": "0-16383",
                      "master": None},
                     {"member": "redis-1", "address": "10.244.2.2:6379", "role": "replica", "slots": "",
                      "master": "redis-0"}],
        "plan": [{"action": "meet", "member": "redis-2", "peers": ["redis-0", "redis-1"]},
                 {"action": "wait_healthy", "members": ["redis-0", "redis-1", "redis-2"]}],
    }
    shown = diff.of(result)
    assert "redis-0 10.244.1.2:6379 master slots 0-16383" in shown["before"]
    assert "redis-1 10.244.2.2:6379 replica of redis-0" in shown["before"]
    assert shown["after"].startswith(shown["before"])
    assert "meet member=redis-2 peers=['redis-0', 'redis-1']" in shown["after"]
    assert "wait_healthy" not in shown["after"]


def test_a_plan_without_changes_shows_no_difference():
    result = {"state": "complete", "topology": [], "plan": [{"action": "wait_healthy", "members": []}]}
    shown = diff.of(result)
    assert shown["before"] == shown["after"]
