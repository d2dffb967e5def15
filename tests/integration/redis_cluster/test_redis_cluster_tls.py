"""TLS on: the role makes a CA and a server certificate, the members speak TLS only, and still heal."""

import base64
import os
import subprocess
import tempfile

import redis
from redis_helpers import PASSWORD, ROLE_TASK, assert_ok, healed, pod_ips, pods, task_result, wait_for


def ca_file(core_v1, namespace):
    data = core_v1.read_namespaced_secret("redis-tls", namespace).data
    with tempfile.NamedTemporaryFile("wb", suffix=".crt", delete=False) as handle:
        handle.write(base64.b64decode(data["ca.crt"]))
    return handle.name


def tls_cluster_client(core_v1, namespace, ca):
    nodes = [redis.cluster.ClusterNode(ip, 6379) for ip in pod_ips(core_v1, namespace)]
    return redis.RedisCluster(startup_nodes=nodes, password=PASSWORD, decode_responses=True, socket_timeout=5,
                              ssl=True, ssl_ca_certs=ca, ssl_check_hostname=False)


def test_tls_cluster_forms_and_serves_tls_only(role, core_v1, redis_namespace):
    result = role(redis_namespace, redis_cluster_tls=True, redis_cluster_transport="direct")
    assert_ok(result)
    assert task_result(result, ROLE_TASK)["state"] == "empty"
    ca = ca_file(core_v1, redis_namespace)
    client = tls_cluster_client(core_v1, redis_namespace, ca)
    for i in range(200):
        client.set("tls:%d" % i, "v%d" % i)
    client.close()
    ip = sorted(pod_ips(core_v1, redis_namespace))[0]
    # The password goes in REDISCLI_AUTH, not on the command line (as a user would do it).
    cli = subprocess.run(["redis-cli", "--tls", "--cacert", ca, "-h", ip, "-p", "6379", "-c", "get", "tls:7"],
                         capture_output=True, text=True, timeout=30, check=False,
                         env=dict(os.environ, REDISCLI_AUTH=PASSWORD))
    assert cli.stdout.strip() == "v7", cli
    plain = redis.Redis(host=ip, port=6379, password=PASSWORD, socket_timeout=5)
    try:
        plain.ping()
        raise AssertionError("a plain-text connection to %s was answered" % ip)
    except redis.ConnectionError:
        pass

    # the exec transport with TLS: the second run finds the cluster complete
    again = role(redis_namespace, redis_cluster_tls=True)
    assert_ok(again)
    assert task_result(again, ROLE_TASK)["state"] == "complete"


def test_tls_cluster_heals_after_all_pods_restart(core_v1, redis_namespace):
    ca = ca_file(core_v1, redis_namespace)
    old_uids = set(pod.metadata.uid for pod in pods(core_v1, redis_namespace).values())
    for name in pods(core_v1, redis_namespace):
        core_v1.delete_namespaced_pod(name, redis_namespace)
    assert wait_for("the TLS cluster to heal by itself", lambda: healed(core_v1, redis_namespace, old_uids, 6, ca),
                    240, 1)
    client = tls_cluster_client(core_v1, redis_namespace, ca)
    assert [i for i in range(200) if client.get("tls:%d" % i) != "v%d" % i] == []
    client.close()
