# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Ansible's ``--diff`` of a plan: before and after of each object it touches, on the fields we set (pure)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def project(observed, desired):
    """``observed`` cut down to the fields of ``desired``: the "before" of a diff."""
    if isinstance(desired, dict) and isinstance(observed, dict):
        return dict((key, project(observed[key], value)) for key, value in desired.items() if key in observed)
    if isinstance(desired, list) and isinstance(observed, list):
        kept = min(len(observed), len(desired))
        return [project(observed[i], desired[i]) for i in range(kept)] + observed[kept:]
    return observed


def diff_of(actions):
    """Ansible's --diff: before and after of every object the plan touches, keyed by object."""
    return {
        "before": dict((a["object"], a["before"]) for a in actions),
        "after": dict((a["object"], a["after"]) for a in actions),
    }
