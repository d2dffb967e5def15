"""The downward API: pod fields and container resources as text (env valueFrom and downwardAPI volumes)."""

import math

from testbed.node import resources


def _quote_map(values):
    return "\n".join('%s="%s"' % (k, v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n"))
                     for k, v in sorted((values or {}).items()))


def field(pod, path):
    meta, spec, status = pod["metadata"], pod["spec"], pod.get("status") or {}
    simple = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", ""),
        "status.podIP": status.get("podIP", ""),
        "status.hostIP": status.get("hostIP", ""),
    }
    if path in simple:
        return simple[path]
    if path == "status.podIPs":
        return ",".join(i["ip"] for i in status.get("podIPs") or ())
    if path == "metadata.labels":
        return _quote_map(meta.get("labels"))
    if path == "metadata.annotations":
        return _quote_map(meta.get("annotations"))
    for prefix, values in (("metadata.labels", meta.get("labels")), ("metadata.annotations", meta.get("annotations"))):
        if path.startswith(prefix + "['") and path.endswith("']"):
            return (values or {}).get(path[len(prefix) + 2 : -2], "")
    raise ValueError("unsupported fieldPath %r" % path)


def resource(pod, default_container, ref):
    """A resourceFieldRef (limits.cpu, requests.memory, ...) in units of its divisor; limits default to the node's."""
    name = ref.get("containerName") or default_container
    containers = (pod["spec"].get("containers") or []) + (pod["spec"].get("initContainers") or [])
    container = next((c for c in containers if c["name"] == name), {})
    kind, _, resource_name = ref["resource"].partition(".")
    values = (container.get("resources") or {}).get(kind) or {}
    quantity = values.get(resource_name)
    if quantity is None:
        quantity = resources.NODE_CAPACITY.get(resource_name, "0") if kind == "limits" else "0"
    amount = resources.parse_quantity(quantity)
    divisor = resources.parse_quantity(ref.get("divisor") or "1")
    return str(int(math.ceil(amount / divisor)))
