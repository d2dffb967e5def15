"""A container's environment: envFrom, env with $(VAR) expansion, and valueFrom references.

A missing ConfigMap, Secret or key that is not optional raises ConfigError, which the
pod reports as CreateContainerConfigError, as the kubelet does.
"""

import base64
import re

from testbed import config
from testbed.node import downward
from testbed.node.images import DEFAULT_PATH
from testbed.node.kube import get_or_none

VALID_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
REFERENCE = re.compile(r"\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)")


class ConfigError(Exception):
    """A reference the container's configuration needs cannot be resolved."""


def expand(text, variables):
    """Kubernetes' $(VAR) expansion: known names are replaced, $$ escapes, unknown references stay."""

    def replace(match):
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return variables.get(name, match.group(0))

    return REFERENCE.sub(replace, text)


class Sources:
    """ConfigMaps and Secrets of one namespace, fetched once per container start."""

    def __init__(self, kube, namespace):
        self.kube = kube
        self.namespace = namespace
        self.cache = {}

    def get(self, kind, name):
        key = (kind, name)
        if key not in self.cache:
            core = self.kube.core
            call = core.read_namespaced_config_map if kind == "ConfigMap" else core.read_namespaced_secret
            self.cache[key] = get_or_none(call, name, self.namespace)
        return self.cache[key]

    def data(self, kind, name, optional):
        obj = self.get(kind, name)
        if obj is None:
            if optional:
                return None
            raise ConfigError('%s "%s" not found' % (kind.lower() if kind == "Secret" else "configmap", name))
        if kind == "Secret":
            return {k: base64.b64decode(v).decode(errors="replace") for k, v in (obj.get("data") or {}).items()}
        values = dict(obj.get("data") or {})
        for k, v in (obj.get("binaryData") or {}).items():
            values[k] = base64.b64decode(v).decode(errors="replace")
        return values

    def key(self, kind, ref):
        values = self.data(kind, ref["name"], ref.get("optional", False))
        if values is None:
            return None
        if ref["key"] not in values:
            if ref.get("optional", False):
                return None
            raise ConfigError("couldn't find key %s in %s %s/%s" % (ref["key"], kind, self.namespace, ref["name"]))
        return values[ref["key"]]


def base_environment(pod, hostname):
    """What every container gets before its own env: the image's PATH, HOSTNAME and the API server's address."""
    port = str(config.APISERVER_PORT)
    host = config.BRIDGE_ADDRESS
    return {
        "PATH": DEFAULT_PATH,
        "HOSTNAME": hostname,
        "HOME": "/root",
        "KUBERNETES_SERVICE_HOST": host,
        "KUBERNETES_SERVICE_PORT": port,
        "KUBERNETES_SERVICE_PORT_HTTPS": port,
        "KUBERNETES_PORT": "tcp://%s:%s" % (host, port),
        "KUBERNETES_PORT_%s_TCP" % port: "tcp://%s:%s" % (host, port),
        "KUBERNETES_PORT_%s_TCP_PROTO" % port: "tcp",
        "KUBERNETES_PORT_%s_TCP_PORT" % port: port,
        "KUBERNETES_PORT_%s_TCP_ADDR" % port: host,
    }


def container_environment(kube, pod, container, image, hostname):
    """The container's full environment as a dict (raises ConfigError)."""
    sources = Sources(kube, pod["metadata"]["namespace"])
    env = base_environment(pod, hostname)
    env.update(image.env)
    for source in container.get("envFrom") or ():
        prefix = source.get("prefix", "")
        if "configMapRef" in source:
            ref = source["configMapRef"]
            values = sources.data("ConfigMap", ref["name"], ref.get("optional", False))
        else:
            ref = source["secretRef"]
            values = sources.data("Secret", ref["name"], ref.get("optional", False))
        for key, value in (values or {}).items():
            if VALID_NAME.match(prefix + key):
                env[prefix + key] = value
    for item in container.get("env") or ():
        if "valueFrom" not in item:
            env[item["name"]] = expand(item.get("value", ""), env)
            continue
        value_from = item["valueFrom"]
        if "fieldRef" in value_from:
            value = downward.field(pod, value_from["fieldRef"]["fieldPath"])
        elif "resourceFieldRef" in value_from:
            value = downward.resource(pod, container["name"], value_from["resourceFieldRef"])
        elif "configMapKeyRef" in value_from:
            value = sources.key("ConfigMap", value_from["configMapKeyRef"])
        else:
            value = sources.key("Secret", value_from["secretKeyRef"])
        if value is not None:
            env[item["name"]] = value
    return env
