"""redis_cluster_mode: false on the test bed: one standalone pod whose data outlives the pod."""

import redis
from redis_helpers import PASSWORD, ROLE_TASK, assert_ok, node, pod_ips, wait_for


def test_standalone_redis_keeps_its_data_when_the_pod_is_deleted(role, core_v1, redis_namespace):
    result = role(redis_namespace, redis_cluster_mode=False)
    assert_ok(result)
    bootstrap = result.task_results("stateful.kube.redis_cluster : " + ROLE_TASK)
    assert bootstrap and bootstrap[0].get("skipped")  # no cluster to form
    (ip,) = pod_ips(core_v1, redis_namespace)
    server = redis.Redis(host=ip, port=6379, password=PASSWORD, decode_responses=True, socket_timeout=5)
    assert server.config_get("cluster-enabled") == {"cluster-enabled": "no"}
    assert server.config_get("appendonly") == {"appendonly": "yes"}
    assert server.config_get("save") == {"save": "900 1"}
    server.set("persisted", "across pods")
    core_v1.delete_namespaced_pod("redis-0", redis_namespace)
    wait_for("the old pod to go", lambda: ip not in pod_ips(core_v1, redis_namespace) or None, 120)
    assert_ok(role(redis_namespace, redis_cluster_mode=False))
    (new_ip,) = pod_ips(core_v1, redis_namespace)
    assert wait_for("the key back", lambda: node(new_ip).get("persisted"), 60) == "across pods"
