# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One bootstrap run: observe -> classify -> plan -> apply -> observe again -> report."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import Deadline
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import classify as classifying
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import plan as planning
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import report
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.apply import Executor
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.observe import observe


def run(transport, members, shape, password=None, timeout=300.0, check_mode=False, poll=0.05, batch=100,
        clock=time.monotonic, sleep=time.sleep):
    """Bring ``members`` to ``shape``; returns ``(result, classification)`` (raises Refused/ApplyError/MemberError).

    ``timeout`` bounds the whole run; ``clock`` and ``sleep`` are what a test replaces.
    """
    deadline = Deadline(timeout, clock)
    timings = {}
    states = observe(transport, members)
    timings["observe"] = round(deadline.elapsed(), 3)
    classification = classifying.classify(members, states, shape)
    result = {
        "state": classification.state,
        "reasons": classification.reasons,
        "plan": [],
        "changed": False,
    }
    if classification.refused:
        result["topology"] = report.topology(members, states)
        return result, classification
    actions = planning.plan(classification)
    result["plan"] = actions
    result["changed"] = planning.changes(actions)
    if check_mode:
        result["topology"] = report.topology(members, states)
        result["findings"] = report.findings(members, states)
        timings["total"] = round(deadline.elapsed(), 3)
        result["timings"] = timings
        return result, classification
    # What is left of the run's deadline, but at least a second: a plan that was worth
    # making gets the chance to start.
    executor = Executor(transport, classification.topology, password=password,
                        deadline=Deadline(max(1.0, deadline.remaining()), clock), poll=poll, batch=batch, sleep=sleep)
    applied = executor.run(actions)
    timings.update(applied["timings"])
    result["slots_moved"] = applied["slots_moved"]
    result["keys_moved"] = applied["keys_moved"]
    final = observe(transport, members[:shape.size])
    result["topology"] = report.topology(members[:shape.size], final)
    result["findings"] = report.findings(members[:shape.size], final) + report.takeovers(actions, final)
    timings["total"] = round(deadline.elapsed(), 3)
    result["timings"] = timings
    return result, classification
