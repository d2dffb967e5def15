"""The pod network: one bridge for the whole test bed, one network namespace per pod.

Only `ip` (iproute2) is used. Every object the test bed creates carries the ``skube``
prefix, so `down` can find and remove exactly what it created and nothing else.
"""

import os
import signal
import subprocess

from testbed import config

NETNS_PREFIX = "skube-"
VETH_PREFIX = "skv"


def _ip(*args, check=True):
    return subprocess.run(["ip", *args], check=check, capture_output=True, text=True)


def bridge_exists():
    return _ip("link", "show", config.BRIDGE, check=False).returncode == 0


# The kernel keeps one ARP table for every network namespace, with one size limit
# (gc_thresh3, 1024 by default): every pod of the test bed shares it, where a real cluster
# has one per node. A Redis Cluster of 30 pods is 30 x 30 entries for its bus alone, and
# the entries of pods just deleted linger until collected: past the limit the kernel
# logs "neighbor table overflow" and drops new entries, so new pods cannot reach each
# other (or be reached from this host) for tens of seconds. Large real nodes raise these
# limits for the same reason.
NEIGHBOUR_TABLE = {"gc_thresh1": 4096, "gc_thresh2": 16384, "gc_thresh3": 32768}


def raise_neighbour_table_limits():
    """Raise the ARP table's limits to NEIGHBOUR_TABLE (never lower them)."""
    for name, wanted in NEIGHBOUR_TABLE.items():
        path = "/proc/sys/net/ipv4/neigh/default/" + name
        with open(path) as f:
            current = int(f.read())
        if current < wanted:
            with open(path, "w") as f:
                f.write(str(wanted))


def ensure_bridge():
    """Create the bridge with the API server's address and every node's address."""
    raise_neighbour_table_limits()
    if not bridge_exists():
        _ip("link", "add", config.BRIDGE, "type", "bridge")
    # A bridge without an address of its own takes the lowest MAC of its ports, so it would
    # change as pods come and go, and every pod's cached entry for the API server's address
    # would point at a MAC that is gone (connections time out until the entry expires).
    _ip("link", "set", config.BRIDGE, "address", pod_mac(config.BRIDGE_ADDRESS))
    addresses = _ip("-o", "addr", "show", "dev", config.BRIDGE).stdout
    wanted = [config.BRIDGE_ADDRESS] + [config.node_address(i + 1) for i in range(len(config.NODE_NAMES))]
    for address in wanted:
        if " %s/" % address not in addresses:
            _ip("addr", "add", "%s/%d" % (address, config.POD_PREFIX_LEN), "dev", config.BRIDGE)
    _ip("link", "set", config.BRIDGE, "up")


def delete_bridge():
    if bridge_exists():
        _ip("link", "del", config.BRIDGE)


def list_namespaces():
    """The network namespaces the test bed created (by prefix)."""
    out = _ip("netns", "list", check=False).stdout
    return [line.split()[0] for line in out.splitlines() if line.startswith(NETNS_PREFIX)]


def list_veths():
    out = _ip("-o", "link", "show", check=False).stdout
    names = []
    for line in out.splitlines():
        name = line.split(":")[1].strip().split("@")[0]
        if name.startswith(VETH_PREFIX):
            names.append(name)
    return names


def namespace_pids(netns):
    out = _ip("netns", "pids", netns, check=False).stdout
    return [int(p) for p in out.split()]


def kill_namespace_processes(netns):
    """SIGKILL every process in ``netns`` (the pod is gone, nothing of it may keep running); return their PIDs."""
    pids = namespace_pids(netns)
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return pids


def delete_namespace(netns):
    _ip("netns", "del", netns, check=False)


def pod_link_names(uid):
    """The netns and host-side veth names of the pod ``uid``: short (veth names have <= 15 chars), by prefix."""
    short = uid.replace("-", "")[:12]
    return NETNS_PREFIX + short, VETH_PREFIX + short


def pod_mac(address):
    """The MAC address for the IP ``address`` (a pod's, or the bridge's): derived from it, locally administered.

    Pod IPs are reused as pods come and go; with a random MAC per pod, the host's and other
    pods' neighbour caches would keep sending a reused IP's traffic to a MAC that is gone
    (seconds of silence: API calls time out). One IP, one MAC: a cached entry is never wrong.
    """
    octets = [int(part) for part in address.split(".")]
    return "02:42:%02x:%02x:%02x:%02x" % tuple(octets)


def create_pod_namespace(netns, veth, address):
    """A network namespace with ``address`` on its eth0, joined to the bridge by the veth pair ``veth``.

    Two `ip -batch` calls (one on the host, one in the namespace) instead of seven `ip`
    calls: each fork costs a few milliseconds and pods start in bulk.
    """
    host = "\n".join(
        (
            "netns add %s" % netns,
            "link add %s type veth peer name eth0 netns %s" % (veth, netns),
            "link set %s master %s up" % (veth, config.BRIDGE),
        )
    )
    inside = "\n".join(
        (
            "link set lo up",
            "link set eth0 address %s" % pod_mac(address),
            "addr add %s/%d dev eth0" % (address, config.POD_PREFIX_LEN),
            "link set eth0 up",
            "route add default via %s" % config.BRIDGE_ADDRESS,
        )
    )
    for argv, commands in ((["ip", "-batch", "-"], host), (["ip", "-n", netns, "-batch", "-"], inside)):
        result = subprocess.run(argv, input=commands + "\n", capture_output=True, text=True)
        if result.returncode != 0:
            delete_pod_namespace(netns, veth)
            raise RuntimeError("creating the pod network %s (%s) failed: %s" % (netns, address, result.stderr.strip()))


def delete_pod_namespace(netns, veth):
    """Remove the pod's namespace and its veth (deleting the namespace deletes the pair; the link is a fallback)."""
    delete_namespace(netns)
    _ip("link", "del", veth, check=False)
