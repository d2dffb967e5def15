"""Cluster DNS: headless Service names resolve inside pods, and follow the Endpoints."""

from testbed.tests.support import create_pod, is_ready, pod_log, wait_until

NAMES = ("web-0.web.{ns}.svc.cluster.local", "web-1.web.{ns}.svc.cluster.local", "web.{ns}.svc.cluster.local",
         "web-0.web", "web-1.web", "web", "web.{ns}", "web-1.web.{ns}")

RESOLVER = r"""
for name in $NAMES; do
  until getent hosts "$name" >/dev/null; do sleep 0.2; done
done
for name in $NAMES; do echo "$name $(getent ahosts "$name" | awk '/STREAM/ {print $1}' | sort -u | tr '\n' ' ')"; done
echo done
sleep 3600
"""


def test_headless_service_names_resolve_inside_a_pod(core_v1, apps_v1, namespace):
    core_v1.create_namespaced_service(namespace, {
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"clusterIP": "None", "selector": {"app": "web"}, "ports": [{"port": 80}]},
    })
    apps_v1.create_namespaced_stateful_set(namespace, {
        "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
        "spec": {
            "serviceName": "web", "replicas": 2, "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": {
                "terminationGracePeriodSeconds": 1,
                "containers": [{"name": "main", "image": "busybox", "command": ["sleep", "3600"]}]}},
        },
    })
    names = " ".join(n.format(ns=namespace) for n in NAMES)
    create_pod(core_v1, namespace, {"metadata": {"name": "client"}, "spec": {"containers": [{
        "name": "main", "image": "busybox", "command": ["sh", "-c", RESOLVER],
        "env": [{"name": "NAMES", "value": names}],
    }]}})

    def ready_web_pods():
        pods = core_v1.list_namespaced_pod(namespace, label_selector="app=web").items
        return pods if len(pods) == 2 and all(is_ready(p) for p in pods) else None

    pods = wait_until(ready_web_pods, 30, "both web pods Ready")
    ips = {p.metadata.name: p.status.pod_ip for p in pods}
    output = wait_until(lambda: "done" in pod_log(namespace, "client", "main") and pod_log(namespace, "client", "main"),
                        30, "the client pod resolving every name")
    resolved = dict(line.split(" ", 1) for line in output.splitlines() if line != "done")
    resolved = {name: set(addresses.split()) for name, addresses in resolved.items()}
    ns = namespace
    assert resolved["web-0.web.%s.svc.cluster.local" % ns] == {ips["web-0"]}
    assert resolved["web-1.web.%s.svc.cluster.local" % ns] == {ips["web-1"]}
    assert resolved["web-0.web"] == {ips["web-0"]}
    assert resolved["web-1.web.%s" % ns] == {ips["web-1"]}
    for service_name in ("web.%s.svc.cluster.local" % ns, "web", "web.%s" % ns):
        assert resolved[service_name] == set(ips.values()), service_name
