# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading and writing a Secret's values (decoded text; what is missing said in a ValueError)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64

from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import ApiException
from ansible_collections.stateful.kube.plugins.module_utils.k8s.objects import read_json

REQUEST_TIMEOUT = 20


def secret_values(clients, namespace, name):
    """``{key: text}`` of Secret ``name`` (raises ValueError when it cannot be read)."""
    try:
        secret = read_json(clients.core.read_namespaced_secret, name, namespace, _request_timeout=REQUEST_TIMEOUT)
    except ApiException as e:
        raise ValueError("cannot read Secret %s/%s: %s" % (namespace, name, getattr(e, "reason", e))) from e
    return dict((k, base64.b64decode(v).decode("utf-8")) for k, v in (secret.get("data") or {}).items())


def secret_value(clients, namespace, name, key):
    """The decoded value of ``key`` in Secret ``name`` (raises ValueError saying what is missing)."""
    values = secret_values(clients, namespace, name)
    if key not in values:
        raise ValueError("Secret %s/%s has no key %r (keys: %s)" % (namespace, name, key, ", ".join(sorted(values))))
    return values[key]


def write_secret_value(clients, namespace, name, key, value):
    """Set ``key`` of Secret ``name`` to ``value`` (a merge patch: other keys are kept)."""
    data = {key: base64.b64encode(value.encode("utf-8")).decode("ascii")}
    clients.core.patch_namespaced_secret(name, namespace, {"data": data}, _request_timeout=REQUEST_TIMEOUT)
