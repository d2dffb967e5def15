#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: statefulset_wait_ordered
short_description: Wait for a StatefulSet's pods in ordinal order, and say why when they do not come up
version_added: 0.1.0
description:
  - Waits until a StatefulSet's rollout is done, following the StatefulSet and its pods with the watch API
    (no polling interval). Done means that the controller has observed the latest generation, the pods of the
    first I(replicas) ordinals exist, are Ready and run the StatefulSet's C(updateRevision), and
    C(status.readyReplicas) agrees. Ordinals start at the StatefulSet's C(spec.ordinals.start) (0 unless set).
  - With a RollingUpdate C(partition), ordinals below the partition may keep the old revision; with
    C(OnDelete), pods are not required to run the new revision.
  - Ordinals are read from the pod names and compared as numbers, so C(web-10) comes after C(web-9).
  - One deadline (I(timeout)) covers the whole wait. A StatefulSet that does not exist yet is waited for.
  - With I(fail_fast), the wait stops at once when a pod cannot come up without a change - a container in
    C(CrashLoopBackOff), C(ErrImagePull), C(ImagePullBackOff) or C(CreateContainerConfigError); a pod the scheduler
    could not place for 15 s (with the state of its claims, their events and their StorageClass's provisioner
    when a claim is unbound); a pod the StatefulSet controller fails to create (its C(FailedCreate) events, such
    as quota or admission refusals) - and the failure names the first stuck ordinal, its phase and conditions,
    its last events and the last lines of the failing container's log. The same facts are returned as data.
  - Only reads; C(changed) is always false, and check mode behaves the same.
author:
  - stateful.kube contributors (@stateful-kube)
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
attributes:
  check_mode:
    support: full
    description: The module only reads, so check mode changes nothing in what it does.
options:
  name:
    description: Name of the StatefulSet.
    type: str
    required: true
  namespace:
    description: Namespace of the StatefulSet.
    type: str
    required: true
  replicas:
    description:
      - How many ordinals (from C(spec.ordinals.start), 0 unless set) to wait for. Defaults to the StatefulSet's
        C(spec.replicas).
      - When it is also C(spec.replicas), pods at or above it must be gone (a scale down is finished).
    type: int
  timeout:
    description: Seconds for the whole wait (one deadline, not one per pod).
    type: int
    default: 300
  ordered:
    description:
      - Fail when a pod became Ready later than the pod the controller brings up after it (ordinal order on start
        and scale up, reverse order in a rolling update). Ignored for C(podManagementPolicy=Parallel), which the
        result says in RV(ordering).
      - When false, the same check is made and returned in RV(order_violations) without failing.
    type: bool
    default: true
  ready_for:
    description: Seconds each pod must have been Ready before it counts, like C(minReadySeconds).
    type: int
    default: 0
  fail_fast:
    description: Stop as soon as a pod cannot come up without a change, instead of waiting for the deadline.
    type: bool
    default: true
  unready_timeout:
    description:
      - With I(fail_fast), also fail when a pod's containers are running and it stays not Ready (its readiness probe
        keeps failing) for longer than this many seconds. Unset, such a pod is waited for until the deadline.
    type: int
requirements:
  - kubernetes >= 24.2.0
  - kubernetes.core >= 5.0.0
notes:
  - Needs C(get), C(list) and C(watch) on StatefulSets and Pods, and C(list) on Events, C(get) on
    PersistentVolumeClaims, StorageClasses and C(pods/log) to explain a failure.
"""

EXAMPLES = r"""
- name: Wait for every redis pod, in ordinal order
  stateful.kube.statefulset_wait_ordered:
    name: redis
    namespace: data
    timeout: 300

- name: Wait for the first three ordinals only, each Ready for 10 s, and give up on a pod unready for 60 s
  stateful.kube.statefulset_wait_ordered:
    name: mariadb
    namespace: data
    replicas: 3
    ready_for: 10
    unready_timeout: 60
  register: rollout

- name: Show how long each ordinal took
  ansible.builtin.debug:
    msg: "{{ rollout.ordinals | map(attribute='ready_after') | list }}"
"""

RETURN = r"""
ready:
  description: Whether the rollout finished (always true when the task succeeds).
  returned: always
  type: bool
replicas:
  description: How many ordinals were waited for.
  returned: when the StatefulSet was found
  type: int
ready_replicas:
  description: The StatefulSet's C(status.readyReplicas) when the wait ended.
  returned: always
  type: int
current_revision:
  description: The StatefulSet's C(status.currentRevision).
  returned: always
  type: str
update_revision:
  description: The StatefulSet's C(status.updateRevision), the revision the rollout moves pods to.
  returned: always
  type: str
pod_management_policy:
  description: C(OrderedReady) or C(Parallel).
  returned: always
  type: str
ordering:
  description: Whether the Ready order was enforced, and if not, why.
  returned: always
  type: str
  sample: "not enforced: podManagementPolicy is Parallel, the controller starts pods all at once"
order_violations:
  description: Ordinals that became Ready after the ordinal the controller brings up next.
  returned: always
  type: list
  elements: dict
  sample: [{"ordinal": 2, "next_ordinal": 3, "ready_after_next_by": 1.2, "expected_order": "ascending"}]
ordinals:
  description:
    - One entry per ordinal waited for, in ordinal order. C(created), C(scheduled) and C(ready) are the API's
      timestamps; the C(*_after) fields are seconds since the wait started (negative for what happened before it).
      C(ready_after) comes from the watch event when the wait saw the pod become Ready.
  returned: always
  type: list
  elements: dict
  sample:
    - {"ordinal": 0, "pod": "web-0", "node": "node-1", "revision": "web-5d8f7c9b4", "restarts": 0,
       "created": "2024-05-01T10:00:00Z", "scheduled": "2024-05-01T10:00:00Z", "ready": "2024-05-01T10:00:02Z",
       "created_after": -0.4, "scheduled_after": -0.4, "ready_after": 1.83}
elapsed:
  description: Seconds the wait took.
  returned: always
  type: float
diagnosis:
  description:
    - Why the wait failed, as data. C(problem) is one of C(container_blocked), C(unschedulable), C(unready),
      C(not_created), C(statefulset_missing), C(timeout), C(order_violation); for a pod it also gives C(ordinal),
      C(pod), C(phase), C(conditions), C(node), C(container), C(reason), C(restarts), C(exit_code), C(events),
      C(log_tail), C(claims) and the C(message).
  returned: on failure
  type: dict
"""

from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import new_module  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.k8s.runner import run  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.statefulset import run as wait_ordered  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.statefulset.options import check_options  # noqa: E402

MODULE_OPTIONS = dict(
    name=dict(type="str", required=True),
    namespace=dict(type="str", required=True),
    replicas=dict(type="int"),
    timeout=dict(type="int", default=300),
    ordered=dict(type="bool", default=True),
    ready_for=dict(type="int", default=0),
    fail_fast=dict(type="bool", default=True),
    unready_timeout=dict(type="int"),
)


def main():
    module = new_module(MODULE_OPTIONS, supports_check_mode=True)
    run(module, wait_ordered.run, check_options)


if __name__ == "__main__":
    main()
