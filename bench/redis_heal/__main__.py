"""Benchmark: every pod of a Redis Cluster deleted at once -> every member cluster_state:ok.

    KUBECONFIG=.testbed/kubeconfig .venv/bin/python -m bench.redis_heal [--masters 3] [--replicas 1]
    .venv/bin/python -m bench.redis_heal --local [--sizes 6,30]      (no Kubernetes, see local.py)

Side by side, on the same cluster in the same run:

- self-heal: the role's pods as they are (heal sidecar): nothing runs after the deletion;
- re-run: the same pods without the heal sidecar (removed from the StatefulSet for this
  part, with the OnDelete strategy so that only the deletion replaces them), healed by
  redis_cluster_bootstrap (its ``moved`` path), started as soon as the last new pod runs:
  what a user had to do before the sidecar.

Each time is measured from the moment the last new pod is Running to the moment every
member answers ``cluster_state:ok`` with all slots and every replica's link is up (an
observer polling every member from the host every 50 ms). Prints both and their ratio.
"""

import argparse
import sys
import time

import redis

from bench.redis_bootstrap.testbed import PASSWORD
from tests.support import PLAYBOOKS
from tests.support.cluster import fresh_namespace, static_storage
from tests.support.waiting import wait_for

KEYS = 2000


def running_pods(core, ns, size, old):
    pods = [pod for pod in core.list_namespaced_pod(ns).items if pod.metadata.uid not in old]
    if len(pods) == size and all(pod.status.phase == "Running" and pod.status.pod_ip for pod in pods):
        return [pod.status.pod_ip for pod in pods]
    return None


def all_ok(ips):
    for ip in ips:
        try:
            info = redis.Redis(host=ip, password=PASSWORD, socket_timeout=1).execute_command("CLUSTER", "INFO")
        except (redis.RedisError, OSError):
            return False
        if b"cluster_state:ok" not in info or b"cluster_slots_ok:16384" not in info:
            return False
        replication = redis.Redis(host=ip, password=PASSWORD, socket_timeout=1).execute_command("INFO", "replication")
        if b"role:slave" in replication and b"master_link_status:up" not in replication:
            return False
    return True


def restart_all(core, ns, size, heal=None, timeout=300):
    """Delete every pod; return (seconds from last pod Running to all ok, seconds from deletion to all ok)."""
    old = set(pod.metadata.uid for pod in core.list_namespaced_pod(ns).items)
    deleted = time.monotonic()
    for pod in core.list_namespaced_pod(ns).items:
        core.delete_namespaced_pod(pod.metadata.name, ns, grace_period_seconds=0)
    ips = None
    while ips is None:
        if time.monotonic() - deleted > timeout:
            raise RuntimeError("the pods did not come back within %d s" % timeout)
        ips = running_pods(core, ns, size, old)
        time.sleep(0.05)
    running = time.monotonic()
    if heal:
        heal()
    while not all_ok(ips):
        if time.monotonic() - running > timeout:
            raise RuntimeError("the cluster was not ok within %d s after its pods ran" % timeout)
        time.sleep(0.05)
    done = time.monotonic()
    return done - running, done - deleted


def controller_saw_change(apps, ns):
    """True once the StatefulSet controller has seen the latest change of the StatefulSet."""
    sts = apps.read_namespaced_stateful_set("redis", ns)
    return (sts.status.observed_generation or 0) >= sts.metadata.generation


def main(argv=None):
    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config

    from testbed.testing import kubeconfig_path, run_playbook

    parser = argparse.ArgumentParser(prog="python -m bench.redis_heal", description=__doc__.split("\n")[0])
    parser.add_argument("--masters", type=int, default=3)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--local", action="store_true", help="redis-server processes on loopback addresses")
    parser.add_argument("--sizes", default="6,30", help="with --local: cluster sizes (masters x 1 replica)")
    args = parser.parse_args(argv)
    if args.local:
        from bench.redis_heal import local

        print("every member restarted at a new address -> every member cluster_state:ok (s after all listen)")
        for size in [int(size) for size in args.sizes.split(",")]:
            self_heal, rerun, lost_self, lost_rerun = local.measure(size)
            print("%3d members: self-heal (heal.sh) %6.2f s, bootstrap re-run %6.2f s, ratio %.2f; keys lost: %d, %d"
                  % (size, self_heal, rerun, rerun / self_heal, len(lost_self), len(lost_rerun)))
        return 0
    size = args.masters * (1 + args.replicas)
    kubeconfig = kubeconfig_path().resolve()
    api_client = k8s_config.new_client_from_config(config_file=str(kubeconfig))
    core = k8s_client.CoreV1Api(api_client)
    apps = k8s_client.AppsV1Api(api_client)
    with fresh_namespace(core, "bench-heal") as ns, static_storage(api_client, ns, volumes=size) as storage_class:
        role_vars = {"redis_cluster_namespace": ns, "redis_cluster_password": PASSWORD,
                     "redis_cluster_storage_class": storage_class, "redis_cluster_masters": args.masters,
                     "redis_cluster_replicas_per_master": args.replicas, "redis_cluster_transport": "direct"}
        formed = run_playbook(PLAYBOOKS / "redis_cluster.yml", kubeconfig, extra_vars=role_vars)
        if formed.rc != 0:
            raise RuntimeError("the role failed: %s" % formed.stdout[-3000:])
        ip = core.list_namespaced_pod(ns).items[0].status.pod_ip
        client = redis.RedisCluster(host=ip, port=6379, password=PASSWORD)
        for i in range(KEYS):
            client.set("heal:%d" % i, i)
        client.close()

        self_heal, self_total = restart_all(core, ns, size)

        # The pods without the heal sidecar come only from the deletion below: a rolling update
        # would restart them itself (all at once while some are still unready after the
        # self-heal), and without the sidecar the cluster would stay down before the clock ran.
        apps.patch_namespaced_stateful_set("redis", ns, {"spec": {
            "updateStrategy": {"type": "OnDelete", "rollingUpdate": None},
            "template": {"spec": {"containers": [{"name": "heal", "$patch": "delete"}]}}}})
        wait_for("the StatefulSet controller to see the change", lambda: controller_saw_change(apps, ns))

        def rerun():
            result = run_playbook(PLAYBOOKS / "redis_cluster_bootstrap.yml", kubeconfig, extra_vars={"bootstrap_args": {
                "name": "redis", "namespace": ns, "password": PASSWORD, "transport": "direct",
                "masters": args.masters, "replicas_per_master": args.replicas}})
            found = result.task_results("Call the module with the test's options")
            if not found or found[0].get("failed"):
                raise RuntimeError("the bootstrap failed: %s" % (found[0].get("msg") if found else
                                                                 result.stdout[-3000:]))

        rerun_heal, rerun_total = restart_all(core, ns, size, heal=rerun)

    print("%d pods deleted at once -> every member cluster_state:ok (seconds after the last pod ran; after "
          "the deletion)" % size)
    print("self-heal (heal sidecar)        %6.2f  %6.2f" % (self_heal, self_total))
    print("bootstrap re-run (moved path)   %6.2f  %6.2f" % (rerun_heal, rerun_total))
    print("ratio re-run / self-heal        %6.2f" % (rerun_heal / self_heal if self_heal else float("inf")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
