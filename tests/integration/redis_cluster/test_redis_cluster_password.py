"""Secure by default: a generated password kept across runs, and a rotation while a client writes."""

import base64
import threading

import redis
from redis_helpers import ROLE_TASK, assert_ok, changed_tasks, node, pod_ips, task_result, wait_for


def stored_password(core_v1, namespace):
    return base64.b64decode(core_v1.read_namespaced_secret("redis", namespace).data["password"]).decode()


def client_with(core_v1, namespace, password):
    nodes = [redis.cluster.ClusterNode(ip, 6379) for ip in pod_ips(core_v1, namespace)]
    return redis.RedisCluster(startup_nodes=nodes, password=password, decode_responses=True, socket_timeout=5)


def test_without_a_password_one_is_generated_and_required(role, core_v1, redis_namespace):
    result = role(redis_namespace, redis_cluster_password="")
    assert_ok(result)
    assert task_result(result, ROLE_TASK)["state"] == "empty"
    password = stored_password(core_v1, redis_namespace)
    assert len(password) == 32 and password.isalnum()
    for ip in pod_ips(core_v1, redis_namespace):
        try:
            node(ip, password=None).execute_command("GET", "x")
            raise AssertionError("%s answered without a password" % ip)
        except redis.AuthenticationError:
            pass
        assert node(ip, password=password).execute_command("PING") in ("PONG", True)


def test_a_second_run_keeps_the_password(role, core_v1, redis_namespace):
    before = stored_password(core_v1, redis_namespace)
    result = role(redis_namespace, redis_cluster_password="")
    assert_ok(result)
    assert result.stats["changed"] == 0, changed_tasks(result)
    assert stored_password(core_v1, redis_namespace) == before


def test_another_password_without_rotate_is_refused_and_nothing_changes(role, core_v1, redis_namespace):
    before = stored_password(core_v1, redis_namespace)
    result = role(redis_namespace, redis_cluster_password="something-else")
    assert result.rc != 0 and "redis_cluster_password_rotate" in result.stdout
    assert stored_password(core_v1, redis_namespace) == before


def test_rotation_while_a_client_writes_loses_no_acknowledged_write(role, core_v1, redis_namespace):
    old = stored_password(core_v1, redis_namespace)
    acknowledged = []
    refused = []
    stop = threading.Event()

    def write():
        client = client_with(core_v1, redis_namespace, old)
        i = 0
        while not stop.is_set():
            try:
                client.set("rot:%d" % i, "v%d" % i)
                acknowledged.append(i)
                i += 1
            except redis.AuthenticationError as e:  # a new connection with the old password, after the switch
                refused.append(str(e))
                client.close()
                client = client_with(core_v1, redis_namespace, stored_password(core_v1, redis_namespace))
        client.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        wait_for("the client to write", lambda: len(acknowledged) > 50, 30)
        result = role(redis_namespace, redis_cluster_password="", redis_cluster_password_rotate=True)
    finally:
        stop.set()
        writer.join(30)
    assert_ok(result)
    assert task_result(result, ROLE_TASK)["password_rotated"]
    new = stored_password(core_v1, redis_namespace)
    assert new != old and len(new) == 32
    for ip in pod_ips(core_v1, redis_namespace):
        try:
            node(ip, password=old).execute_command("PING")
            raise AssertionError("%s still takes the old password" % ip)
        except redis.AuthenticationError:
            pass
        # redis-py answers CONFIG GET with a dict (RESP3 and its RESP2 parser alike).
        assert node(ip, password=new).config_get("masterauth") == {"masterauth": new}
    reader = client_with(core_v1, redis_namespace, new)
    lost = [i for i in acknowledged if reader.get("rot:%d" % i) != "v%d" % i]
    reader.close()
    assert acknowledged and lost == []
    again = role(redis_namespace, redis_cluster_password="")
    assert_ok(again)
    assert again.stats["changed"] == 0, changed_tasks(again)
    assert stored_password(core_v1, redis_namespace) == new
