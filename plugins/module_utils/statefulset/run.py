# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner of statefulset_wait_ordered: observe and classify until done (``Waiter``), then report.

It only reads, so it plans and applies nothing and check mode changes nothing.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.errors import ModuleFailure
from ansible_collections.stateful.kube.plugins.module_utils.statefulset.waiter import OPTIONS, WaitFailed, Waiter


def run(clients, params, check_mode=False):
    """The module's result; ModuleFailure with the diagnosis when the rollout does not finish."""
    waiter = Waiter(clients, params["namespace"], params["name"], **dict((key, params[key]) for key in OPTIONS))
    try:
        return waiter.run()
    except WaitFailed as failure:
        raise ModuleFailure(failure.message, diagnosis=failure.facts, **failure.result) from None
