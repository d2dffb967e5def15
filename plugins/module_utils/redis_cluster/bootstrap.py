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
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.apply import Executor, health_problems
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.observe import observe
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.retry import RetryingTransport


def run(transport, members, shape, password=None, timeout=300.0, check_mode=False, poll=0.05, batch=100,
        clock=time.monotonic, sleep=time.sleep):
    """Bring ``members`` to ``shape``; returns ``(result, classification)`` (raises Refused/ApplyError/MemberError).

    ``timeout`` bounds the whole run; ``clock`` and ``sleep`` are what a test replaces.
    """
    deadline = Deadline(timeout, clock)
    transport = RetryingTransport(transport, deadline=deadline.at, clock=clock, sleep=sleep)
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
    desired = members[:shape.size]
    if not result["changed"] and healthy(desired, states, shape):
        # Nothing to change and the health the plan would wait for was just read: reading
        # it twice more (the wait, the final observe) would only repeat this answer.
        result.update(retries=transport.retries, slots_moved=0, keys_moved=0,
                      topology=report.topology(desired, states), findings=report.findings(desired, states))
        timings["total"] = round(deadline.elapsed(), 3)
        result["timings"] = timings
        return result, classification
    # What is left of the run's deadline, but at least a second: a plan that was worth
    # making gets the chance to start.
    executor = Executor(transport, classification.topology, password=password,
                        deadline=Deadline(max(1.0, deadline.remaining()), clock), poll=poll, batch=batch, sleep=sleep)
    applied = executor.run(actions)
    timings.update(applied["timings"])
    result["retries"] = transport.retries
    result["slots_moved"] = applied["slots_moved"]
    result["keys_moved"] = applied["keys_moved"]
    final = observe(transport, members[:shape.size])
    result["topology"] = report.topology(members[:shape.size], final)
    result["findings"] = report.findings(members[:shape.size], final) + report.takeovers(actions, final)
    timings["total"] = round(deadline.elapsed(), 3)
    result["timings"] = timings
    return result, classification


def healthy(members, states, shape):
    """True when the observed ``states`` of ``members`` already pass the wait for health."""
    views = [(m.name, states[m.name].cluster_info, states[m.name].replication, states[m.name].nodes, None)
             for m in members]
    return health_problems(views, shape) is None
