# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The statefulset_wait_ordered module's input, checked before anything is read (pure)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.names import name_problems


def check_options(params):
    """A list of sentences, one per bad option; empty when the options make sense."""
    problems = name_problems([("StatefulSet", "name", params.get("name") or ""),
                              ("Namespace", "namespace", params.get("namespace") or "")])
    if params.get("timeout") is None or params["timeout"] <= 0:
        problems.append("timeout must be a positive number of seconds, got %r" % params.get("timeout"))
    for option in ("replicas", "ready_for"):
        if params.get(option) is not None and params[option] < 0:
            problems.append("%s must not be negative, got %d" % (option, params[option]))
    if params.get("unready_timeout") is not None and params["unready_timeout"] <= 0:
        problems.append("unready_timeout must be a positive number of seconds, got %d" % params["unready_timeout"])
    if params.get("ready_for") and params.get("timeout") and params["ready_for"] >= params["timeout"]:
        problems.append("ready_for (%d s) must be shorter than timeout (%d s)"
                        % (params["ready_for"], params["timeout"]))
    return problems
