# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner of mysql_replication_bootstrap: observe -> classify -> plan -> apply -> verify -> report.

The Kubernetes side (the StatefulSet's pods, the Secret, the role label, deleting a pod to
swap in a seed) is reached through the k8s layer; the servers through a transport.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.stateful.kube.plugins.module_utils.k8s import secrets
from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import Deadline, poll
from ansible_collections.stateful.kube.plugins.module_utils.k8s.errors import ModuleFailure
from ansible_collections.stateful.kube.plugins.module_utils.mysql import classify, pods, queries
from ansible_collections.stateful.kube.plugins.module_utils.mysql.apply import ApplyError, Context, apply
from ansible_collections.stateful.kube.plugins.module_utils.mysql.observe import ServerState
from ansible_collections.stateful.kube.plugins.module_utils.mysql.plan import Desired, describe, plan
from ansible_collections.stateful.kube.plugins.module_utils.mysql.transport import (
    DirectTransport,
    ExecTransport,
    MemberError,
)
from ansible_collections.stateful.kube.plugins.module_utils.mysql.verify import VerifyError, verify

WHAT_TO_DO = {
    "auth": "the password given (variable or Secret) is not the one the servers have; nothing was changed. Give "
            "the servers' password, or rotate it explicitly",
    "unreachable": "check that the pods run and, for transport=direct, that their IPs are reachable from here",
    "timeout": "the server is overloaded or the network drops packets; look at the pod",
    "sql": "the server refused a statement; see the message",
}
ROOT = "root"
RETRY_INTERVAL = 1.0
ROLE_FILE = "/var/lib/mysql-volume/role"


def credentials(clients, params):
    """``(root, replication)`` passwords: the options, else the Secret's keys."""
    root, replication = params["root_password"], params["replication_password"]
    if root is None or replication is None:
        try:
            values = secrets.secret_values(clients, params["namespace"], params["credentials_secret"] or params["name"])
        except ValueError as e:
            raise ModuleFailure(str(e), "give root_password and replication_password, or the Secret") from None
        root = root if root is not None else values.get("root-password")
        replication = replication if replication is not None else values.get("replication-password")
    if not root or not replication:
        raise ModuleFailure("no root or replication password (options or Secret keys root-password, "
                            "replication-password)")
    return root, replication


def members_of(clients, params):
    where = "StatefulSet %s/%s" % (params["namespace"], params["name"])
    members, problems = pods.find_members(clients, params["namespace"], params["name"], params["port"])
    if problems or not members:
        raise ModuleFailure("cannot judge the replication of %s: %s" % (where, "; ".join(problems) or "no pods"),
                            "wait until its pods run (stateful.kube.statefulset_wait_ordered) and run again")
    return members


def transports(clients, params, password):
    exec_transport = ExecTransport(clients.api_client, params["namespace"], params["container"] or params["flavor"],
                                   ROOT, password, timeout=params["call_timeout"])
    if params["transport"] == "direct":
        return DirectTransport(ROOT, password, timeout=params["call_timeout"]), exec_transport
    return exec_transport, exec_transport


def observe(transport, members, flavor, deadline):
    """``{name: ServerState}``; transient failures retried until the deadline, auth and SQL failures at once."""
    return dict((member.name, _observe_one(transport, member, flavor, deadline)) for member in members)


def _observe_one(transport, member, flavor, deadline):
    found, failure = [], []

    def ask():
        try:
            found.append(ServerState.from_replies(member, flavor, transport.query(member, queries.OBSERVE[flavor])))
            return None
        except MemberError as e:
            if e.kind in ("auth", "sql"):
                raise
            failure[:] = [e]
            return str(e)

    if poll(ask, deadline, RETRY_INTERVAL) is not None:
        raise failure[0]
    return found[0]


def observe_set(transport, members, flavor, deadline, requested=None):
    """Every server, then the primary once more.

    A replica can only hold what its primary had when the replica was read; read in one
    pass, a primary read first looks behind replicas read later while writes go on, and
    they would seem diverged. Read again after them, it has everything they had.
    """
    states = observe(transport, members, flavor, deadline)
    try:
        primary = classify.find_primary(members, states, requested)[0]
    except classify.Refused:
        return states  # classify says why
    states.update(observe(transport, [primary.member], flavor, deadline))
    return states


def run(clients, params, check_mode=False):
    deadline = Deadline(params["timeout"])
    flavor = params["flavor"]
    root, replication_password = credentials(clients, params)
    members = members_of(clients, params)
    transport, exec_transport = transports(clients, params, root)
    timings = {}
    started = time.monotonic()
    try:
        try:
            states = observe_set(transport, members, flavor, deadline, params["primary"])
        except MemberError as e:
            # A rotation that stopped after the servers took the new root password: carry on with it.
            if e.kind != "auth" or not params["new_root_password"]:
                raise
            transport, exec_transport = transports(clients, params, params["new_root_password"])
            states = observe_set(transport, members, flavor, deadline, params["primary"])
            root = params["new_root_password"]
    except MemberError as e:
        raise ModuleFailure("%s (observing %d pods of %s/%s)" % (e, len(members), params["namespace"], params["name"]),
                            WHAT_TO_DO.get(e.kind, ""), member=e.member, problem=e.kind) from None
    timings["observe"] = round(time.monotonic() - started, 3)
    try:
        topology = classify.classify(members, states, params["primary"])
    except classify.Refused as e:
        raise ModuleFailure(str(e), state="refused") from None
    desired = Desired(primary=params["primary"], allow_reseed=params["allow_reseed"], max_lag=params["max_lag"],
                      rotate_replication_password=bool(params["new_replication_password"]),
                      rotate_root_password=bool(params["new_root_password"]) and root != params["new_root_password"])
    try:
        actions = plan(topology, desired)
    except classify.Refused as e:
        raise ModuleFailure(str(e), state=topology.state, topology=topology.facts()["members"]) from None
    lines = describe(actions)
    result = {"changed": bool(actions), "state": topology.state, "primary": topology.primary.name,
              "plan": [dict((k, v) for k, v in a.items() if k != "steps") for a in actions],
              "topology": topology.facts()["members"],
              "diff": {"before": "%s, primary %s\n" % (topology.state, topology.primary.name),
                       "after": "".join(line + "\n" for line in lines) or "nothing to do\n"}}
    if check_mode:
        return result

    def set_role(member, role):
        # On the volume first (a re-created pod has no labels: its init container reads this),
        # then the label the Services select by.
        exec_transport.exec(member, ["sh", "-c", 'printf %%s %s > %s' % (role, ROLE_FILE)], "", params["call_timeout"])
        pods.set_role(clients, params["namespace"], member, role)

    def delete_pod(member):
        clients.core.delete_namespaced_pod(member.pod, params["namespace"], _request_timeout=20)

    def refresh(name):
        """The member once its pod was re-created (another uid) and runs with an IP."""
        gone, found = ctx.members[name].uid, []

        def recreated():
            found[:] = [m for m in pods.find_members(clients, params["namespace"], params["name"], params["port"])[0]
                        if m.name == name and m.uid != gone]
            return None if found else "pod %s not re-created and running yet" % name

        missing = poll(recreated, deadline, RETRY_INTERVAL)
        if missing is not None:
            raise MemberError(name, "timeout", "%s after its seed, at the deadline" % missing)
        ctx.members[name] = found[0]
        return found[0]

    ctx = Context(flavor, transport, exec_transport, members, params["replication_user"], replication_password,
                  set_role, delete_pod, refresh, deadline, new_replication_password=params["new_replication_password"],
                  new_root_password=params["new_root_password"])
    applying = time.monotonic()
    try:
        apply(ctx, actions)
    except ApplyError as e:
        raise ModuleFailure("the plan failed at %s" % e, "the set is part way: run the module again, it plans "
                            "only what is still missing", changed=True, plan=result["plan"]) from None
    timings["apply"] = round(time.monotonic() - applying, 3)
    result.update(ctx.facts)
    if params["verify"]:
        verifying = time.monotonic()
        final = [ctx.members[m.name] for m in members]
        primary_name = actions[-1]["member"] if actions and actions[-1]["action"] == "switchover" \
            else topology.primary.name
        primary = [m for m in final if m.name == primary_name][0]
        try:
            result["marker_seconds"] = verify(transport, primary, [m for m in final if m.name != primary_name],
                                              params["max_lag"], deadline.within(max(30, params["max_lag"] * 2)))
        except VerifyError as e:
            raise ModuleFailure("verify: %s" % e, "look at that replica's last error (SHOW REPLICA STATUS); run "
                                "again once fixed", changed=bool(actions), member=e.member) from None
        except MemberError as e:
            raise ModuleFailure("verify: %s" % e, WHAT_TO_DO.get(e.kind, ""), changed=bool(actions),
                                member=e.member) from None
        timings["verify"] = round(time.monotonic() - verifying, 3)
        result["primary"] = primary_name
    timings["total"] = round(time.monotonic() - started, 3)
    result["timings"] = timings
    transport.close()
    return result
