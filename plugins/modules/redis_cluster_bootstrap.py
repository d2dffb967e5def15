#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: redis_cluster_bootstrap
short_description: Form, scale and heal a Redis Cluster on a StatefulSet's pods, idempotently, never losing data
version_added: 0.1.0
description:
  - Reads every member's own view (C(CLUSTER MYID), C(CLUSTER INFO), C(CLUSTER NODES), C(DBSIZE),
    C(INFO replication)) and names the state of the cluster - C(empty), C(complete), C(scale_up), C(moved)
    (members at new addresses after pods restarted), C(scale_down), C(partial) (an earlier run stopped half way),
    C(unbalanced), or C(foreign)/C(inconsistent), which are refused with nothing changed.
  - Plans the actions to reach I(masters) masters with I(replicas_per_master) replicas each, with a pure function,
    and runs them unless in check mode. The plan is returned, and shown with C(--diff).
  - Create assigns the 16384 slots evenly, gives each master its replicas on other Kubernetes nodes where the
    pods allow it and waits, polling every 50 ms, until every member reports C(cluster_state:ok) with all slots
    and every replica's link is up.
  - Scale up joins the new pods, and moves slots with their keys (C(MIGRATE) in batches) to the new masters.
    Scale down (pods beyond the first I(masters) * (1 + I(replicas_per_master)) ordinals that are still in the cluster)
    moves their slots and keys to the members that stay, re-points replicas, and makes every staying member
    C(CLUSTER FORGET) them; run it before the StatefulSet shrinks.
  - Heal re-meets members whose pod IP changed, so a cluster whose pods all restarted at new addresses forms again
    from the C(nodes.conf) on their volumes.
  - It never runs C(CLUSTER RESET) or C(FLUSHALL) and never drops a member that holds slots.
  - Fresh servers (no slots, no keys, alone) run with a C(cluster-node-timeout) of 500 ms while they join, because a
    master only reports C(cluster_state:ok) min(C(cluster-node-timeout), 5 s) after it last had no slots in view;
    their configured value is put back before the module returns, also when it fails.
author:
  - stateful.kube contributors (@stateful-kube)
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
attributes:
  check_mode:
    support: full
    description: Reads, classifies and plans; the plan is returned and nothing is changed.
  diff_mode:
    support: full
    description: The diff shows the current topology and the plan.
options:
  name:
    description: Name of the StatefulSet whose pods are the cluster's members.
    type: str
    required: true
  namespace:
    description: Namespace of the StatefulSet.
    type: str
    required: true
  masters:
    description: Number of masters.
    type: int
    default: 3
  replicas_per_master:
    description:
      - Replicas of each master. The first I(masters) * (1 + I(replicas_per_master)) ordinals (from the
        StatefulSet's C(spec.ordinals.start), 0 unless set) are the cluster; pods at higher ordinals are removed
        from it.
    type: int
    default: 1
  port:
    description: The port Redis listens on in each pod.
    type: int
    default: 6379
  container:
    description: The container that runs Redis (exec transport).
    type: str
    default: redis
  transport:
    description:
      - How to talk to the members. C(exec) runs C(redis-cli) (7 or later) inside each pod through the API
        server and works from wherever the API is reachable. C(direct) connects with redis-py to the pod IPs, for
        runs inside the cluster's network (an AWX job pod, for example).
    type: str
    choices: [exec, direct]
    default: exec
  password:
    description:
      - The password (C(requirepass)) of the members. With C(exec) it reaches C(redis-cli) on its standard input and
        through C(REDISCLI_AUTH), never on a command line.
    type: str
  password_secret:
    description: A Secret in I(namespace) holding the password. Mutually exclusive with I(password).
    type: dict
    suboptions:
      name:
        description: Name of the Secret.
        type: str
        required: true
      key:
        description: Key of the password in the Secret.
        type: str
        default: password
  timeout:
    description: Seconds for the whole run (reads, moves and waits); each remote call also has its own timeout.
    type: int
    default: 300
  call_timeout:
    description: Seconds for one call to one member.
    type: int
    default: 20
  migrate_batch:
    description: Keys per C(MIGRATE) when slots move.
    type: int
    default: 100
requirements:
  - kubernetes >= 24.2.0
  - kubernetes.core >= 5.0.0
  - redis >= 4.0.0 (redis-py, for I(transport=direct))
notes:
  - Needs C(get) on the StatefulSet, C(list) on Pods, C(create) on C(pods/exec) (exec transport) and C(get) on
    the Secret of I(password_secret).
  - Redis 7 or later in the pods (C(CLUSTER ADDSLOTSRANGE), C(redis-cli --json)).
"""

EXAMPLES = r"""
- name: Form (or check) a cluster of 3 masters with 1 replica each
  stateful.kube.redis_cluster_bootstrap:
    name: redis
    namespace: data
    masters: 3
    replicas_per_master: 1
    password_secret:
      name: redis-password
  register: cluster

- name: Grow to 4 masters after the StatefulSet has 8 ready pods (slots and keys move to the new master)
  stateful.kube.redis_cluster_bootstrap:
    name: redis
    namespace: data
    masters: 4
    password: "{{ redis_password }}"

- name: See what would change, without changing it
  stateful.kube.redis_cluster_bootstrap:
    name: redis
    namespace: data
    transport: direct
    password: "{{ redis_password }}"
  check_mode: true
  diff: true
"""

RETURN = r"""
state:
  description: The state found before any change.
  returned: always
  type: str
  sample: scale_up
reasons:
  description: Why the state is what it is, one sentence per fact.
  returned: always
  type: list
  elements: str
plan:
  description: The actions planned (and, outside check mode, applied), in order; each names members by pod name.
  returned: always
  type: list
  elements: dict
  sample: [{"action": "meet", "member": "redis-6", "peers": ["redis-0", "redis-1"]},
           {"action": "move_slots", "source": "redis-0", "target": "redis-6", "slots": "4096-5461", "count": 1366}]
topology:
  description: The cluster after the run (before it in check mode), one entry per member in ordinal order.
  returned: always
  type: list
  elements: dict
  sample: [{"member": "redis-0", "address": "10.244.1.7:6379", "node": "node-1", "role": "master",
            "slots": "0-5461", "slot_count": 5462, "master": null, "keys": 12, "cluster_state": "ok", "link": null}]
findings:
  description: Facts needing no action, such as members seen failing or a replica on its master's node.
  returned: success
  type: list
  elements: str
slots_moved:
  description: Slots moved between members.
  returned: when changes were applied
  type: int
keys_moved:
  description: Keys moved with them.
  returned: when changes were applied
  type: int
timings:
  description: Seconds per phase (observe, configure, meet, move_slots, replicate, forget, wait_healthy, total).
  returned: success
  type: dict
"""

from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import new_module  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.k8s.runner import run  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import run as bootstrap  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.options import check_options  # noqa: E402

MODULE_OPTIONS = dict(
    name=dict(type="str", required=True),
    namespace=dict(type="str", required=True),
    masters=dict(type="int", default=3),
    replicas_per_master=dict(type="int", default=1),
    port=dict(type="int", default=6379),
    container=dict(type="str", default="redis"),
    transport=dict(type="str", choices=["exec", "direct"], default="exec"),
    password=dict(type="str", no_log=True),
    password_secret=dict(type="dict", no_log=False, options=dict(
        name=dict(type="str", required=True),
        key=dict(type="str", default="password", no_log=False),
    )),
    timeout=dict(type="int", default=300),
    call_timeout=dict(type="int", default=20),
    migrate_batch=dict(type="int", default=100),
)


def main():
    module = new_module(MODULE_OPTIONS, supports_check_mode=True, mutually_exclusive=[("password", "password_secret")])
    run(module, bootstrap.run, check_options)


if __name__ == "__main__":
    main()
