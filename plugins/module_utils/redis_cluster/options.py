# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The redis_cluster_bootstrap module's input, checked before anything is read (pure)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from importlib.util import find_spec

from ansible_collections.stateful.kube.plugins.module_utils.k8s.names import name_problems

# Whether redis-py is installed, without importing it (the direct transport imports it when used).
HAS_REDIS = find_spec("redis") is not None


def check_options(params, has_redis=HAS_REDIS):
    """A list of sentences, one per bad option; empty when the options make sense."""
    problems = name_problems([
        ("StatefulSet", "name", params["name"]),
        ("Namespace", "namespace", params["namespace"]),
        ("container", "container", params["container"]),
        ("Secret", "password_secret.name", (params.get("password_secret") or {}).get("name")),
    ])
    if params["masters"] < 1 or params["replicas_per_master"] < 0:
        problems.append("masters must be 1 or more and replicas_per_master 0 or more; got %d and %d"
                        % (params["masters"], params["replicas_per_master"]))
    if params["transport"] == "direct" and not has_redis:
        problems.append("transport=direct needs the redis Python library (pip install redis) on the host that runs "
                        "the module")
    return problems
