"""python -m bench.module_noop: each module's call with nothing to do vs kubernetes.core.k8s_info, in one run.

A module run that has nothing to do should cost what kubernetes.core's cheapest call
costs. In one namespace the bench makes a Ready StatefulSet, a complete Redis cluster
(the redis_cluster role: 3 masters, no replicas, hostPath volumes) and uses the test
bed's NFS provisioner (testbed/playbooks/storage.yml). Then, for N rounds, each pair runs
as ad-hoc commands (``ansible localhost -m ...``) one after the other, which of the two
goes first alternating by round:

    statefulset_wait_ordered on the Ready StatefulSet  vs  k8s_info on that StatefulSet
    redis_cluster_bootstrap on the complete cluster    vs  k8s_info on its StatefulSet
    nfs_provisioner with nothing to change              vs  k8s_info on its Deployment

Wall time is the parent's clock around the command; CPU time is user + system of the
command and everything it waited for (getrusage of children: ansible, its workers and the
module process). Prints the medians and the ratios ours / k8s_info (target: 1.2 or less).

Then (unless ``--no-profile``) it shows where one module process spends its time, each module beside
k8s_info: the AnsiballZ payload's size, the module process alone (run from the kept
payload, as Ansible runs it), its imports (``python -X importtime``) by package, and its
calls (cProfile) in client construction, discovery and the module's own work.
"""

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.module_noop import profile
from testbed import config as testbed_config
from testbed.testing import ansible_env, run_playbook
from tests.support import PLAYBOOKS
from tests.support.cluster import fresh_namespace, static_storage
from tests.support.manifests import statefulset
from tests.support.waiting import wait_for

PASSWORD = "bench-noop-password"
STORAGE_PLAYBOOK = testbed_config.STORAGE_PLAYBOOK
# The call the nfs_provisioner role makes in testbed/playbooks/storage.yml (role defaults), without its
# wait and validation (a validation makes a claim: not a call with nothing to do).
NFS_OPTIONS = {
    "state": "present", "namespace": "nfs-provisioner", "name": "nfs-subdir-external-provisioner",
    "nfs_server": testbed_config.BRIDGE_ADDRESS, "nfs_path": "/srv/stateful-kube/nfs/volumes",
    "storage_class": {"name": "nfs-client", "default_class": False, "reclaim_policy": "Delete",
                      "volume_binding_mode": "Immediate", "allow_volume_expansion": False, "mount_options": [],
                      "archive_on_delete": True},
}


def k8s_info(kind, name, namespace, api_version="apps/v1"):
    return ("kubernetes.core.k8s_info", {"api_version": api_version, "kind": kind, "name": name,
                                         "namespace": namespace})


def pairs(namespace):
    """``{label: ((our module, args, check), (peer module, args, check))}``; check(result) says what is wrong."""
    def unchanged(result):
        return None if result.get("changed") is False else "changed: %s" % result.get("changed")

    def found(result):
        return None if len(result.get("resources") or []) == 1 else "expected 1 object, got %r" % result.get(
            "resources")

    def redis_complete(result):  # its plan of a complete cluster only checks health (wait_healthy)
        return unchanged(result) or (None if result.get("state") == "complete" else "state %s" % result.get("state"))

    return {
        "statefulset_wait_ordered": (
            ("stateful.kube.statefulset_wait_ordered", {"name": "noop", "namespace": namespace, "timeout": 60},
             unchanged),
            k8s_info("StatefulSet", "noop", namespace) + (found,)),
        "redis_cluster_bootstrap": (
            ("stateful.kube.redis_cluster_bootstrap", {"name": "redis", "namespace": namespace, "masters": 3,
                                                       "replicas_per_master": 0, "password_secret": {"name": "redis"}},
             redis_complete),
            k8s_info("StatefulSet", "redis", namespace) + (found,)),
        "nfs_provisioner": (
            ("stateful.kube.nfs_provisioner", NFS_OPTIONS, unchanged),
            k8s_info("Deployment", NFS_OPTIONS["name"], NFS_OPTIONS["namespace"]) + (found,)),
    }


def adhoc(module, args, env):
    """Run ``ansible localhost -m module -a args``; return (wall s, CPU s, the module's result)."""
    argv = ["ansible", "localhost", "-i", "localhost,", "-c", "local", "-m", module, "-a", json.dumps(args)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300, check=False)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    try:
        result = json.loads(done.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]
    except (ValueError, KeyError, IndexError):
        raise RuntimeError("%s: no result (rc %d): %s %s" % (module, done.returncode, done.stdout[-2000:],
                                                             done.stderr[-2000:])) from None
    if result.get("failed"):
        raise RuntimeError("%s failed: %s" % (module, result.get("msg")))
    return wall, cpu, result


def set_up(core_v1, apps_v1, namespace, storage_class, kubeconfig):
    """The three objects, each in the state where our module has nothing to do."""
    apps_v1.create_namespaced_stateful_set(namespace, statefulset("noop", namespace, replicas=2))
    storage = run_playbook(STORAGE_PLAYBOOK, kubeconfig)
    if storage.rc != 0:
        raise RuntimeError("the test bed's storage did not come up: %s" % storage.stdout[-3000:])
    redis = run_playbook(PLAYBOOKS / "redis_cluster.yml", kubeconfig, timeout=900, extra_vars={
        "redis_cluster_namespace": namespace, "redis_cluster_password": PASSWORD, "redis_cluster_masters": 3,
        "redis_cluster_replicas_per_master": 0, "redis_cluster_storage_class": storage_class})
    if redis.rc != 0:
        raise RuntimeError("the redis_cluster role failed: %s" % redis.stdout[-3000:])
    wait_for("StatefulSet noop Ready", lambda: apps_v1.read_namespaced_stateful_set(
        "noop", namespace).status.ready_replicas == 2, timeout=120)


def measure(rounds, namespace, env):
    """``{label: {"ours": [(wall, cpu)...], "k8s_info": [...]}}`` over ``rounds`` alternating rounds."""
    found = {}
    for label, (ours, peer) in pairs(namespace).items():
        samples = found[label] = {"ours": [], "k8s_info": []}
        for module, args, check in (ours, peer):  # warm-up (discovery cache), and each has nothing to do
            problem = check(adhoc(module, args, env)[2])
            if problem:
                raise RuntimeError("%s (%s) has something to do: %s" % (label, module, problem))
        for n in range(rounds):
            order = [("ours", ours), ("k8s_info", peer)]
            for tool, (module, args, check) in (order if n % 2 == 0 else order[::-1]):
                wall, cpu, result = adhoc(module, args, env)
                problem = check(result)
                if problem:
                    raise RuntimeError("%s round %d: %s" % (module, n, problem))
                samples[tool].append((wall, cpu))
        report_pair(label, samples)
    return found


def report_pair(label, samples):
    medians = {tool: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
               for tool, values in samples.items()}
    for tool in ("ours", "k8s_info"):
        wall, cpu = medians[tool]
        name = label if tool == "ours" else "  k8s_info, same object"
        print("  %-28s wall %6.3f s  CPU %6.3f s  (wall min %.3f, max %.3f)" % (
            name, wall, cpu, min(w for w, _ in samples[tool]), max(w for w, _ in samples[tool])))
    print("  %-28s wall %.2fx  CPU %.2fx  (target <= 1.2x)" % (
        "  ratio ours / k8s_info", medians["ours"][0] / medians["k8s_info"][0],
        medians["ours"][1] / medians["k8s_info"][1]), flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.module_noop", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--no-profile", dest="profile", action="store_false",
                        help="skip the second part (where one module process spends its time)")
    parser.add_argument("--profile-runs", type=int, default=5)
    args = parser.parse_args(argv)

    from kubernetes import client as k8s_client
    from kubernetes import config as k8s_config

    kubeconfig = Path(os.environ.get("KUBECONFIG") or testbed_config.KUBECONFIG).resolve()
    if not kubeconfig.exists():
        sys.exit("no kubeconfig at %s: run `make testbed-up`" % kubeconfig)
    env = ansible_env(kubeconfig)
    api_client = k8s_config.new_client_from_config(config_file=str(kubeconfig))
    core_v1, apps_v1 = k8s_client.CoreV1Api(api_client), k8s_client.AppsV1Api(api_client)
    with fresh_namespace(core_v1, "bench-noop") as namespace, static_storage(api_client, namespace) as storage:
        print("module no-op calls vs kubernetes.core.k8s_info (namespace %s): setting up" % namespace, flush=True)
        set_up(core_v1, apps_v1, namespace, storage, kubeconfig)
        print("== %d rounds each, ad hoc, alternating (medians)" % args.rounds, flush=True)
        measure(args.rounds, namespace, env)
        if args.profile:
            with tempfile.TemporaryDirectory(prefix="bench-noop-") as folder:
                print("== where the time goes (one module process, %d runs each)" % args.profile_runs, flush=True)
                for label, (ours, peer) in pairs(namespace).items():
                    profile.compare(label, ours[:2], peer[:2], env, Path(folder), args.profile_runs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
