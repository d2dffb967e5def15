"""Cluster DNS as hosts files: every pod's /etc/hosts lists the Services' names, kept current from Endpoints.

`ip netns exec` bind-mounts /etc/netns/<netns>/hosts and resolv.conf over /etc/hosts and
/etc/resolv.conf for every process of the pod, so a hosts file per pod is all the
resolver needs; no DNS server runs. A hosts file has no search list, so every name form
a pod may use is written out: ``<svc>.<ns>.svc.cluster.local``, ``<svc>.<ns>.svc``,
``<svc>.<ns>``, and for pods of the same namespace ``<svc>``; likewise
``<hostname>.<svc>...`` for each endpoint address that has a hostname (the pods of a
StatefulSet). Addresses are the Endpoints' ready addresses, plus the not-ready ones when
the Service has publishNotReadyAddresses, as CoreDNS serves them. Services with a
ClusterIP resolve to their endpoints' addresses too (there is no kube-proxy): right
whenever port and targetPort are equal.

Files are rewritten in place (truncate and write, never renamed): they are bind-mounted.
"""

import logging
import threading
from pathlib import Path

from testbed import config
from testbed.watch import Informer

log = logging.getLogger(__name__)

NETNS_ETC = Path("/etc/netns")
DOMAIN = config.CLUSTER_DOMAIN


class PodEntry:
    def __init__(self, netns, namespace, hostname, subdomain, ip, host_aliases):
        self.netns = netns
        self.namespace = namespace
        self.hostname = hostname
        self.subdomain = subdomain
        self.ip = ip
        self.host_aliases = host_aliases or ()


def names(parts, namespace, pod_namespace):
    """Every spelling of ``<parts>.<namespace>.svc.<domain>`` a pod in ``pod_namespace`` may look up."""
    base = ".".join(parts)
    forms = ["%s.%s.svc.%s" % (base, namespace, DOMAIN), "%s.%s.svc" % (base, namespace), "%s.%s" % (base, namespace)]
    if namespace == pod_namespace:
        forms.append(base)
    return forms


def service_records(endpoints, publish_not_ready):
    """``[(ip, hostname or None)]`` of an Endpoints object, deduplicated, in order."""
    seen = {}
    for subset in endpoints.get("subsets") or ():
        addresses = list(subset.get("addresses") or ())
        if publish_not_ready:
            addresses += subset.get("notReadyAddresses") or ()
        for address in addresses:
            seen.setdefault(address["ip"], address.get("hostname"))
    return list(seen.items())


def render_hosts(pod, services):
    """The hosts file of one pod. ``services``: ``{(namespace, name): [(ip, hostname)]}``."""
    lines = [
        "# Kubernetes-managed hosts file (the stateful.kube test bed's node agent).",
        "127.0.0.1\tlocalhost",
        "::1\tlocalhost ip6-localhost ip6-loopback",
        "fe00::0\tip6-localnet",
        "fe00::0\tip6-mcastprefix",
        "fe00::1\tip6-allnodes",
        "fe00::2\tip6-allrouters",
    ]
    if pod.subdomain:
        own = "%s.%s.%s.svc.%s" % (pod.hostname, pod.subdomain, pod.namespace, DOMAIN)
        lines.append("%s\t%s\t%s" % (pod.ip, own, pod.hostname))
    else:
        lines.append("%s\t%s" % (pod.ip, pod.hostname))
    if pod.host_aliases:
        lines.append("\n# Entries added by HostAliases.")
        for alias in pod.host_aliases:
            lines.append("%s\t%s" % (alias["ip"], "\t".join(alias.get("hostnames") or ())))
    lines.append("\n# Services (from Endpoints).")
    if ("default", "kubernetes") not in services:
        lines.append("%s\t%s" % (config.BRIDGE_ADDRESS, " ".join(names(["kubernetes"], "default", pod.namespace))))
    for (namespace, service), records in sorted(services.items()):
        for ip, hostname in records:
            if hostname:
                lines.append("%s\t%s" % (ip, " ".join(names([hostname, service], namespace, pod.namespace))))
        for ip, _ in records:
            lines.append("%s\t%s" % (ip, " ".join(names([service], namespace, pod.namespace))))
    return "\n".join(lines) + "\n"


def render_resolv_conf(namespace):
    # No name server runs: 127.0.0.1 in the pod's namespace refuses at once, so names that
    # are not in the hosts file fail fast instead of timing out.
    return "search %s.svc.%s svc.%s %s\nnameserver 127.0.0.1\noptions ndots:5\n" % (namespace, DOMAIN, DOMAIN, DOMAIN)


def write_in_place(path, text):
    """Replace a file's content keeping its inode (it is bind-mounted into running pods)."""
    try:
        with open(path, "r+") as f:
            if f.read() == text:
                return
            f.seek(0)
            f.write(text)
            f.truncate()
    except FileNotFoundError:
        with open(path, "w") as f:
            f.write(text)


class Dns:
    def __init__(self, kube):
        self.kube = kube
        self.lock = threading.Lock()
        self.services = {}  # (namespace, name) -> publishNotReadyAddresses
        self.endpoints = {}  # (namespace, name) -> Endpoints dict
        self.pods = {}  # uid -> PodEntry
        self.changed = threading.Event()
        self.stopped = threading.Event()
        self.informers = [
            Informer("services", kube.core.list_service_for_all_namespaces, self._on_service),
            Informer("endpoints", kube.core.list_endpoints_for_all_namespaces, self._on_endpoints),
        ]
        self.thread = threading.Thread(target=self._writer, name="dns", daemon=True)

    def start(self):
        for informer in self.informers:
            informer.start()
        self.thread.start()

    def stop(self):
        self.stopped.set()
        self.changed.set()
        for informer in self.informers:
            informer.stop()

    def add_pod(self, uid, netns, namespace, hostname, subdomain, ip, host_aliases=None):
        """Write the pod's hosts and resolv.conf now: they must exist before its first process starts."""
        entry = PodEntry(netns, namespace, hostname, subdomain, ip, host_aliases)
        folder = NETNS_ETC / netns
        folder.mkdir(parents=True, exist_ok=True)
        with self.lock:
            self.pods[uid] = entry
            hosts = render_hosts(entry, self._records())
        write_in_place(folder / "hosts", hosts)
        write_in_place(folder / "resolv.conf", render_resolv_conf(namespace))

    def remove_pod(self, uid):
        with self.lock:
            self.pods.pop(uid, None)

    def _records(self):
        records = {}
        for key, endpoints in self.endpoints.items():
            found = service_records(endpoints, self.services.get(key, False))
            if found:
                records[key] = found
        return records

    @staticmethod
    def _key(obj):
        return obj["metadata"]["namespace"], obj["metadata"]["name"]

    def _on_service(self, kind, obj):
        with self.lock:
            if kind == "SYNC":
                self.services = {self._key(s): bool(s["spec"].get("publishNotReadyAddresses")) for s in obj}
            elif kind == "DELETED":
                self.services.pop(self._key(obj), None)
            else:
                self.services[self._key(obj)] = bool(obj["spec"].get("publishNotReadyAddresses"))
        self.changed.set()

    def _on_endpoints(self, kind, obj):
        with self.lock:
            if kind == "SYNC":
                self.endpoints = {self._key(e): e for e in obj}
            elif kind == "DELETED":
                self.endpoints.pop(self._key(obj), None)
            else:
                self.endpoints[self._key(obj)] = obj
        self.changed.set()

    def _writer(self):
        while not self.stopped.is_set():
            self.changed.wait()
            self.changed.clear()
            if self.stopped.is_set():
                return
            with self.lock:
                records = self._records()
                pods = list(self.pods.values())
            for pod in pods:
                try:
                    write_in_place(NETNS_ETC / pod.netns / "hosts", render_hosts(pod, records))
                except OSError as e:
                    log.debug("hosts file of %s: %s", pod.netns, e)
