from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.k8s.errors import ModuleFailure
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import run as runner
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import MemberError

PARAMS = {"name": "redis", "namespace": "data", "masters": 3, "replicas_per_master": 1, "port": 6379,
          "container": "redis", "transport": "exec", "password": None, "password_secret": None, "timeout": 60,
          "call_timeout": 5, "migrate_batch": 100}


def test_too_few_pods_for_the_shape_fail_before_any_redis_call(monkeypatch, cluster):
    members, _states, _raw = cluster("empty")
    monkeypatch.setattr(runner.pods, "find_members", lambda *args: (members[:4], []))
    monkeypatch.setattr(runner.bootstrap, "run", lambda *args, **kwargs: pytest.fail("redis was called"))
    with pytest.raises(ModuleFailure) as failed:
        runner.run(None, dict(PARAMS))
    assert failed.value.result()["msg"] == ("3 masters with 1 replica(s) each need 6 pods, StatefulSet data/redis has "
                                            "4: raise its replicas first")


def test_a_member_error_becomes_a_failure_with_what_to_do(monkeypatch, cluster):
    members, _states, _raw = cluster("empty")

    def unreachable(*args, **kwargs):
        raise MemberError("redis-2", "auth", "Redis at 10.0.0.3:6379 refused the password: WRONGPASS")

    monkeypatch.setattr(runner.pods, "find_members", lambda *args: (members, []))
    monkeypatch.setattr(runner.bootstrap, "run", unreachable)
    with pytest.raises(ModuleFailure) as failed:
        runner.run(None, dict(PARAMS, transport="direct"))
    result = failed.value.result()
    assert result["msg"].endswith("(auth); " + runner.WHAT_TO_DO["auth"])
    assert (result["member"], result["problem"], result["changed"]) == ("redis-2", "auth", False)
