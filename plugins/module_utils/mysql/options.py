# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The mysql_replication_bootstrap module's input, checked before anything is read (pure)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.names import name_problems
from ansible_collections.stateful.kube.plugins.module_utils.mysql.transport import HAS_PYMYSQL


def check_options(params, has_pymysql=HAS_PYMYSQL):
    """A list of sentences, one per bad option; empty when the options make sense."""
    problems = name_problems([
        ("StatefulSet", "name", params["name"]),
        ("Namespace", "namespace", params["namespace"]),
        ("container", "container", params["container"]),
        ("Secret", "credentials_secret", params["credentials_secret"]),
    ])
    if params["primary"] is not None and params["primary"] < 0:
        problems.append("primary must be an ordinal (0 or more); got %d" % params["primary"])
    if params["max_lag"] < 0 or params["timeout"] < 1 or params["call_timeout"] < 1:
        problems.append("max_lag must be 0 or more, timeout and call_timeout 1 or more; got %d, %d and %d"
                        % (params["max_lag"], params["timeout"], params["call_timeout"]))
    for option in ("root_password", "replication_password", "new_root_password", "new_replication_password"):
        if params[option] is not None and (params[option] == "" or "\n" in params[option]):
            problems.append("%s must be a non-empty single line" % option)
    if params["transport"] == "direct" and not has_pymysql:
        problems.append("transport=direct needs the PyMySQL library (pip install PyMySQL) on the host that runs "
                        "the module")
    return problems
