# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The module's ``--diff``: the topology found, and the same followed by the plan's changes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import describe
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.plan import NO_CHANGE


def of(result):
    before = ["state: %s" % result["state"]]
    for row in result.get("topology", []):
        role = "replica of %s" % row["master"] if row["master"] else "%s slots %s" % (row["role"], row["slots"] or "-")
        before.append("%s %s %s" % (row["member"], row["address"], role))
    changes = [describe(action) for action in result.get("plan", []) if action["action"] not in NO_CHANGE]
    after = before + (["plan:"] + ["  " + line for line in changes] if changes else [])
    return {"before": "\n".join(before) + "\n", "after": "\n".join(after) + "\n",
            "before_header": "cluster found", "after_header": "after the plan"}
