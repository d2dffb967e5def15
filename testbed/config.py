"""Every address, port, path and name the test bed uses, in one place.

Network: one Linux bridge in the host's network namespace carries 10.244.0.0/16. The
bridge itself is 10.244.0.1 (the API server's address, as pods see it); node N has
10.244.N.1 on the bridge (its kubelet API) and gives its pods 10.244.N.2-254, each in a
network namespace of its own joined to the bridge by a veth pair. Nothing else is ever
contacted: the control plane's other ports are on loopback.
"""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
STATE_DIR = Path(os.environ.get("STATEFUL_KUBE_TESTBED_DIR", REPO_ROOT / ".testbed"))
CACHE_DIR = Path(os.environ.get("STATEFUL_KUBE_CACHE", Path.home() / ".cache" / "stateful-kube"))

PKI_DIR = STATE_DIR / "pki"
RUN_DIR = STATE_DIR / "run"  # pid files
LOG_DIR = STATE_DIR / "logs"  # control plane and node agent logs
ETCD_DATA_DIR = STATE_DIR / "etcd"
PODS_DIR = STATE_DIR / "pods"  # per-pod state: volumes, container logs, pid files
KUBECONFIG = STATE_DIR / "kubeconfig"
RUNNING_VERSION_FILE = STATE_DIR / "kube-version"  # the release the running bed is, e.g. "1.37"

BRIDGE = "skube0"
BRIDGE_ADDRESS = "10.244.0.1"
POD_PREFIX_LEN = 16
CLUSTER_DOMAIN = "cluster.local"
SERVICE_CIDR = "10.96.0.0/16"
KUBERNETES_SERVICE_IP = "10.96.0.1"

NODE_NAMES = ("node-1", "node-2", "node-3")

# Which Kubernetes the bed runs: KUBE_VERSION=1.37 (the default, the newest release the
# Go module proxy serves that builds with /usr/local/go) or 1.20 (Debian's source
# package, the oldest release we claim). Each release: where it is built from, and etcd.
KUBE_RELEASES = {
    # k8s.io/kubernetes from the Go module proxy (testbed/scripts/build-kube-modules.sh),
    # with etcd 3.6 built the same way: with Debian's 3.4.23 the API server runs but turns
    # off consistent reads from its watch cache (no RequestWatchProgress before 3.4.31).
    "1.37": {"module_version": "v1.37.2", "etcd_version": "v3.6.16"},
    # Debian's kubernetes 1.20.2 source package (testbed/scripts/build-kube.sh), with
    # Debian's etcd 3.4; also the fallback when the Go module proxy cannot be reached.
    "1.20": {"module_version": None, "etcd_version": None},
}
DEFAULT_KUBE_VERSION = "1.37"
OLDEST_KUBE_VERSION = "1.20"


def kube_version():
    """The release asked for (KUBE_VERSION: "1.37", "v1.37.2" and "1.37.2" all mean 1.37)."""
    asked = os.environ.get("KUBE_VERSION") or DEFAULT_KUBE_VERSION
    minor = ".".join(asked.lstrip("v").split(".")[:2])
    if minor not in KUBE_RELEASES:
        raise SystemExit("testbed: KUBE_VERSION=%s: the test bed runs %s" % (asked, ", ".join(KUBE_RELEASES)))
    return minor


def node_address(index):
    """The address of node ``index`` (1-based) on the bridge: its kubelet API listens here."""
    return "10.244.%d.1" % index


# The test bed's NFS server: NFS-Ganesha started by our own nfs_server role from
# testbed/playbooks/storage.yml (nfs_server_name: testbed), bound to BRIDGE_ADDRESS.
# `down` stops it too, so that it leaves nothing running behind.
NFS_SERVER_PID_FILE = Path("/run/ganesha-testbed.pid")
# The playbook that gives the bed its storage (NFS server, provisioner, StorageClass nfs-client).
STORAGE_PLAYBOOK = REPO_ROOT / "testbed" / "playbooks" / "storage.yml"

ETCD_CLIENT_URL = "http://127.0.0.1:23790"
ETCD_PEER_URL = "http://127.0.0.1:23800"
APISERVER_PORT = 6443
APISERVER_URL = "https://%s:%d" % (BRIDGE_ADDRESS, APISERVER_PORT)
CONTROLLER_MANAGER_PORT = 10257
SCHEDULER_PORT = 10259
KUBELET_PORT = 10250

# Bearer tokens for the control plane's own users (token-file authentication): written
# once per test bed under PKI_DIR, never committed.
TOKEN_USERS = {
    "admin": ("admin", "system:masters"),
    "controller-manager": ("system:kube-controller-manager", ""),
    "scheduler": ("system:kube-scheduler", ""),
    # One identity for the three nodes' agent: it acts for all of them, so it cannot be
    # one system:node:<name> user; it stays in system:masters and says so here.
    "node-agent": ("testbed:node-agent", "system:masters"),
}
