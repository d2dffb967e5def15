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
    C(unfinished) (slots an earlier run left open between two members: finished first), C(unbalanced), or
    C(foreign)/C(inconsistent), which are refused with nothing changed.
  - Plans the actions to reach I(masters) masters with I(replicas_per_master) replicas each, with a pure function,
    and runs them unless in check mode. The plan is returned, and shown with C(--diff).
  - Create assigns the 16384 slots evenly, gives each master its replicas on other Kubernetes nodes where the
    pods allow it and waits, polling every 50 ms, until every member reports C(cluster_state:ok) with all slots
    and every replica's link is up.
  - Scale up joins the new pods, and moves slots with their keys to the new masters; one round trip asks for the keys
    of 64 slots, the next moves them, one C(MIGRATE ... KEYS) per slot. Clients may write meanwhile (C(ASK)).
  - Transient failures (C(LOADING), C(TRYAGAIN), C(CLUSTERDOWN), C(MASTERDOWN), a cut exec stream) are retried within
    I(timeout); when they last, the failure names the member and its raw reply.
    Scale down (pods at ordinals beyond I(masters) * (1 + I(replicas_per_master)) that are still in the cluster)
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
      - Replicas of each master. Pods 0 to I(masters) * (1 + I(replicas_per_master)) - 1 are the cluster; pods at
        higher ordinals are removed from it.
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
  new_password:
    description:
      - Rotate to this password, without downtime, before anything else. Needs I(password_secret).
      - Every member first accepts it besides the old one (C(ACL SETUSER default >new)) and replicas use it
        (C(CONFIG SET masterauth)); then it is written to the Secret and to C(/run/redis/password) in every pod (what
        the redis_cluster role's probes and heal sidecar read, written through C(exec)); then C(CONFIG SET requirepass)
        drops the old one. Connections already authenticated keep working; new connections with the old password are
        refused from that last step on.
      - Nothing is done when every member and the Secret already have it. A run that stopped half way is finished by
        running again with the same I(new_password).
    type: str
  password_secret:
    description: A Secret in I(namespace) holding the password, used when I(password) is not given.
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
  tls_secret:
    description:
      - The members speak TLS only; this Secret in I(namespace) holds their CA as C(ca.crt) (the redis_cluster role's
        C(<name>-tls), or yours). C(exec) runs C(redis-cli --tls --cacert) I(tls_ca_path) in the pods; C(direct)
        checks the members' certificates against the Secret's C(ca.crt), not their host names, since members are
        reached by pod IP.
    type: str
  tls_ca_path:
    description: Where the CA file is inside the pods, for C(exec) with I(tls_secret).
    type: str
    default: /etc/redis-tls/ca.crt
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
password_rotated:
  description: True when the password was rotated to I(new_password) (or would be, in check mode).
  returned: when rotated
  type: bool
retries:
  description: Calls sent again because of a transient failure (C(LOADING), C(TRYAGAIN), C(CLUSTERDOWN), a cut stream).
  returned: when changes were applied
  type: int
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

from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import Clients, new_module  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import (  # noqa: E402
    bootstrap,
    diff,
    password as rotation,
    pods,
)
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.classify import Shape  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.direct import (  # noqa: E402
    HAS_REDIS,
    DirectTransport,
)
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import (  # noqa: E402
    ApplyError,
    MemberError,
    Refused,
)
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.exec import ExecTransport  # noqa: E402

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
    new_password=dict(type="str", no_log=True),
    tls_secret=dict(type="str", no_log=False),
    tls_ca_path=dict(type="str", default="/etc/redis-tls/ca.crt"),
    timeout=dict(type="int", default=300),
    call_timeout=dict(type="int", default=20),
    migrate_batch=dict(type="int", default=100),
)

# Where the pods of the redis_cluster role keep the password their probes and heal sidecar use.
PASSWORD_FILE = "/run/redis/password"

WHAT_TO_DO = {
    "auth": "check the password option or the Secret it comes from against requirepass in the pods",
    "not_cluster": "the pods need cluster-enabled yes in redis.conf (the redis_cluster role writes it)",
    "unreachable": "check that the pods run and, for transport=direct, that their IPs are reachable from here",
    "timeout": "the member is overloaded or the network drops packets; raise call_timeout or look at the pod",
    "transient": "the member was restarting, loading its data or failing over until the deadline: look at the pod "
                 "and run again",
    "protocol": "the pods need Redis 7 or later (redis-cli --json, CLUSTER ADDSLOTSRANGE)",
}


def main():
    module = new_module(MODULE_OPTIONS, supports_check_mode=True)
    p = module.params
    if p["masters"] < 1 or p["replicas_per_master"] < 0:
        module.fail_json(msg="masters must be 1 or more and replicas_per_master 0 or more; got %d and %d"
                         % (p["masters"], p["replicas_per_master"]))
    if p["transport"] == "direct" and not HAS_REDIS:
        module.fail_json(msg="transport=direct needs the redis Python library (pip install redis) on the host "
                             "that runs the module")
    clients = Clients(module)
    password = p["password"]
    if password is None and p["password_secret"]:
        try:
            password = pods.secret_value(clients.core, p["namespace"], p["password_secret"]["name"],
                                         p["password_secret"]["key"])
        except ValueError as e:
            module.fail_json(msg=str(e))

    shape = Shape(p["masters"], p["replicas_per_master"])
    members, problems = pods.find_members(clients.core, clients.apps, p["namespace"], p["name"], p["port"])
    if problems:
        module.fail_json(msg="cannot judge the cluster of StatefulSet %s/%s: %s; wait until its pods run "
                             "(stateful.kube.statefulset_wait_ordered) and run again"
                             % (p["namespace"], p["name"], "; ".join(problems)), changed=False)
    if len(members) < shape.size:
        module.fail_json(msg="%d masters with %d replica(s) each need %d pods, StatefulSet %s/%s has %d: raise its "
                             "replicas first" % (shape.masters, shape.replicas, shape.size, p["namespace"],
                                                 p["name"], len(members)), changed=False)

    tls_ca_data = None
    if p["tls_secret"] and p["transport"] == "direct":
        try:
            tls_ca_data = pods.secret_value(clients.core, p["namespace"], p["tls_secret"], "ca.crt")
        except ValueError as e:
            module.fail_json(msg=str(e))

    def transport_with(secret):
        if p["transport"] == "direct":
            return DirectTransport(password=secret, timeout=p["call_timeout"], tls_ca_data=tls_ca_data)
        return ExecTransport(clients.api_client, p["namespace"], container=p["container"], password=secret,
                             timeout=p["call_timeout"], tls_ca_path=p["tls_ca_path"] if p["tls_secret"] else None)

    transport = transport_with(password)
    rotated = False
    try:
        if p["new_password"]:
            rotated = rotate_password(module, clients, transport, members, password)
            if rotated and not module.check_mode:
                transport.close()
                password = p["new_password"]
                transport = transport_with(password)
        result, classification = bootstrap.run(transport, members, shape, password=password, timeout=p["timeout"],
                                               check_mode=module.check_mode, batch=p["migrate_batch"])
    except MemberError as e:
        module.fail_json(msg="%s; %s" % (e, WHAT_TO_DO.get(e.kind, "")), member=e.member, problem=e.kind,
                         changed=False)
    except ApplyError as e:
        module.fail_json(msg="the plan failed at %s; the cluster is part way: run the module again, it continues "
                             "from what it finds" % e, action=e.action, changed=True)
    except Refused as e:
        module.fail_json(msg="refused to change the cluster: %s" % e, changed=False)
    finally:
        transport.close()

    if classification.refused:
        module.fail_json(msg="refused, nothing changed: the cluster of StatefulSet %s/%s is %s: %s. Fix it by hand "
                             "(redis-cli --cluster fix, or CLUSTER FORGET of the nodes named) and run again"
                             % (p["namespace"], p["name"], result["state"], "; ".join(result["reasons"])),
                         **result)
    if rotated:
        result["changed"] = True
        result["password_rotated"] = True
    if module._diff:
        result["diff"] = diff.of(result)
    module.exit_json(**result)


def rotate_password(module, clients, transport, members, old):
    """Rotate to ``new_password`` when a member or the Secret does not have it yet; True when it did (or would)."""
    p = module.params
    new = p["new_password"]
    secret = p["password_secret"]
    if not secret:
        module.fail_json(msg="new_password needs password_secret: the Secret is where pods that start later read the "
                             "password from", changed=False)
    seen = rotation.current(transport, members)
    if not rotation.needs_rotation(seen, new, old):
        return False
    if module.check_mode:
        return True
    files = ExecTransport(clients.api_client, p["namespace"], container=p["container"], timeout=p["call_timeout"])

    def write_secret(value):
        pods.write_secret_value(clients.core, p["namespace"], secret["name"], secret["key"], value)

    rotation.rotate(transport, members, new, write_secret,
                    lambda member, value: files.write_file(member, PASSWORD_FILE, value))
    return True


if __name__ == "__main__":
    main()
