"""Bring the whole test bed up or down: the control plane, the bridge, the node agent."""

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from testbed import config, network
from testbed.controlplane import components, kubeconfig, pki, processes

BUILD_SCRIPT = config.REPO_ROOT / "testbed" / "scripts" / "build-kube.sh"
MODULE_BUILD_SCRIPT = config.REPO_ROOT / "testbed" / "scripts" / "build-kube-modules.sh"
PROXY_UNREACHABLE = 3  # build-kube-modules.sh's exit status when the Go module proxy cannot be reached

# name -> (argv builder, program name to recognise it by, seconds to become healthy)
CONTROL_PLANE = (
    ("etcd", components.etcd_argv, "etcd", 20),
    ("kube-apiserver", components.apiserver_argv, "kube-apiserver", 60),
    ("kube-controller-manager", components.controller_manager_argv, "kube-controller-manager", 30),
    ("kube-scheduler", components.scheduler_argv, "kube-scheduler", 30),
)
NODE_AGENT = "node-agent"
NODE_AGENT_PROGRAM = "testbed.node"


def _say(message):
    print("testbed: " + message, flush=True)


def kube_binaries(version):
    """Build the control plane of ``version`` once (cached under ~/.cache/stateful-kube).

    Returns (folder of the binaries, the release actually built): 1.20 stands in, loudly,
    when the Go module proxy cannot be reached.
    """
    release = config.KUBE_RELEASES[version]
    if release["module_version"]:
        env = dict(os.environ, KUBE_VERSION=release["module_version"], ETCD_VERSION=release["etcd_version"])
        result = subprocess.run(["bash", str(MODULE_BUILD_SCRIPT)], stdout=subprocess.PIPE, text=True, env=env)
        if result.returncode == 0:
            return Path(result.stdout.strip().splitlines()[-1]), version
        if result.returncode != PROXY_UNREACHABLE:
            raise SystemExit("testbed: building Kubernetes %s failed (see above)" % release["module_version"])
        _say("the Go module proxy cannot be reached: falling back to Kubernetes %s from Debian's source package"
             % config.OLDEST_KUBE_VERSION)
        version = config.OLDEST_KUBE_VERSION
    result = subprocess.run(["bash", str(BUILD_SCRIPT)], stdout=subprocess.PIPE, text=True)
    if result.returncode != 0:
        raise SystemExit("testbed: building the control plane failed (see above)")
    return Path(result.stdout.strip().splitlines()[-1]), version


def running_version():
    """The release of the bed that runs (or ran last), or None."""
    try:
        return config.RUNNING_VERSION_FILE.read_text().strip() or None
    except OSError:
        return None


def is_up():
    running = all(processes.running_pid(name, program) for name, _, program, _ in CONTROL_PLANE)
    agent = processes.running_pid(NODE_AGENT, NODE_AGENT_PROGRAM)
    return running and agent is not None and components.healthy("kube-apiserver") and nodes_ready() == len(
        config.NODE_NAMES
    )


def nodes_ready():
    try:
        nodes = components.api_get("/api/v1/nodes")["items"]
    except Exception:  # noqa: BLE001 - any failure means "not ready yet"
        return 0
    ready = 0
    for node in nodes:
        for condition in node.get("status", {}).get("conditions", []):
            if condition["type"] == "Ready" and condition["status"] == "True":
                ready += 1
    return ready


@contextlib.contextmanager
def _exclusive():
    """One `up` or `down` at a time: a second caller waits, then finds the bed as the first left it."""
    config.STATE_DIR.mkdir(parents=True, exist_ok=True)
    with open(config.STATE_DIR / "up.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def up():
    with _exclusive():
        _up()


def down(quiet=False):
    """Stop every process the test bed started and remove every namespace, veth and bridge it made."""
    with _exclusive():
        _down(quiet)


def _up():
    started = time.monotonic()
    asked = config.kube_version()
    if is_up():
        if running_version() not in (asked, None):
            raise SystemExit("testbed: Kubernetes %s is up, %s was asked for: `make testbed-down` first"
                             % (running_version(), asked))
        _say("already up (Kubernetes %s: %s); KUBECONFIG=%s" % (running_version(), ", ".join(config.NODE_NAMES),
                                                                 config.KUBECONFIG))
        return
    bin_dir, version = kube_binaries(asked)
    # A half-up test bed (a crash, a reboot) is cleaned first: a known state is faster to
    # reach from nothing than to repair piece by piece.
    _down(quiet=True)
    for folder in (config.STATE_DIR, config.RUN_DIR, config.LOG_DIR, config.PODS_DIR):
        folder.mkdir(parents=True, exist_ok=True)
    _forget_api_discovery()
    pki.ensure()
    network.ensure_bridge()
    kubeconfig.write(config.STATE_DIR / "controller-manager.kubeconfig", "controller-manager")
    kubeconfig.write(config.STATE_DIR / "scheduler.kubeconfig", "scheduler")
    kubeconfig.write(config.STATE_DIR / "node-agent.kubeconfig", "node-agent")

    env = {"PATH": "%s:%s" % (bin_dir, os.environ.get("PATH", ""))}
    config.RUNNING_VERSION_FILE.write_text(version + "\n")
    for name, argv, program, timeout in CONTROL_PLANE:
        processes.start(name, argv(bin_dir, version), env=env)
        components.wait_healthy(name, timeout, lambda n=name, p=program: processes.running_pid(n, p) is not None)

    processes.start(
        NODE_AGENT,
        [sys.executable, "-m", NODE_AGENT_PROGRAM, "--kubeconfig", str(config.STATE_DIR / "node-agent.kubeconfig")],
        env={"PYTHONPATH": str(config.REPO_ROOT)},
    )
    deadline = time.monotonic() + 60
    while nodes_ready() < len(config.NODE_NAMES):
        if processes.running_pid(NODE_AGENT, NODE_AGENT_PROGRAM) is None or time.monotonic() > deadline:
            log = config.LOG_DIR / (NODE_AGENT + ".log")
            tail = log.read_text(errors="replace").splitlines()[-20:] if log.exists() else []
            raise SystemExit("testbed: the node agent did not make %d nodes Ready; last lines of %s:\n%s"
                             % (len(config.NODE_NAMES), log, "\n".join(tail)))
        time.sleep(0.1)
    # The admin kubeconfig is written last: its existence means "the test bed is usable".
    kubeconfig.write(config.KUBECONFIG, "admin")
    _say("up in %.1f s: Kubernetes %s, %d nodes Ready; KUBECONFIG=%s"
         % (time.monotonic() - started, version, len(config.NODE_NAMES), config.KUBECONFIG))


def _forget_api_discovery():
    """Delete kubernetes.core's cached API discovery for the bed's address.

    The cache (k8srcp-<sha256 of "host-user">.json in the temp dir) never expires and is only
    refreshed when a kind is missing from it. The bed serves 1.37 and 1.20 at the same address,
    so after a 1.37 bed a 1.20 bed would be taken to serve policy/v1 PodDisruptionBudgets and
    every create of one would get a 404. Which "user" the cache id holds depends on the
    caller's login, so every form kubernetes.core may use is removed.
    """
    users = {None, os.environ.get("USERNAME"), str(os.getuid())}
    try:
        users.add(os.getlogin())
    except OSError:
        pass
    for user in users:
        cache_id = config.APISERVER_URL if not user else "%s-%s" % (config.APISERVER_URL, user)
        name = "k8srcp-%s.json" % hashlib.sha256(cache_id.encode("utf-8")).hexdigest()
        Path(tempfile.gettempdir(), name).unlink(missing_ok=True)


def _down(quiet):
    stopped = []
    if processes.stop(NODE_AGENT, NODE_AGENT_PROGRAM, grace=30):
        stopped.append(NODE_AGENT)
    # Whatever still runs in a pod's namespace outlived its agent: it goes too.
    namespaces = network.list_namespaces()
    for netns in namespaces:
        processes.kill_pids(network.namespace_pids(netns))
        network.delete_namespace(netns)
    # The pods' DNS files, also of namespaces the agent removed itself on its way out.
    for folder in Path("/etc/netns").glob(network.NETNS_PREFIX + "*"):
        shutil.rmtree(folder, ignore_errors=True)
    if processes.stop_pid_file(config.NFS_SERVER_PID_FILE, "ganesha.nfsd"):
        stopped.append("nfs-ganesha")
    for name, _, program, _ in reversed(CONTROL_PLANE):
        if processes.stop(name, program):
            stopped.append(name)
    for veth in network.list_veths():
        subprocess.run(["ip", "link", "del", veth], capture_output=True)
    network.delete_bridge()
    # State goes with the cluster (a new `up` starts empty); keys and logs stay.
    for folder in (config.ETCD_DATA_DIR, config.PODS_DIR, config.RUN_DIR):
        shutil.rmtree(folder, ignore_errors=True)
    config.KUBECONFIG.unlink(missing_ok=True)
    if not quiet:
        _say("down: stopped %s; removed %d pod namespaces" % (", ".join(stopped) or "nothing", len(namespaces)))


def status():
    for name, _, program, _ in CONTROL_PLANE + ((NODE_AGENT, None, NODE_AGENT_PROGRAM, None),):
        pid = processes.running_pid(name, program)
        print("%-24s %s" % (name, "pid %d" % pid if pid else "stopped"))
    print("%-24s %d/%d Ready" % ("nodes", nodes_ready(), len(config.NODE_NAMES)))
    print("%-24s %s" % ("kubernetes", running_version() or "-"))
    return 0 if is_up() else 3
