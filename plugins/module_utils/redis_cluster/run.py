# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The runner of redis_cluster_bootstrap: find the members, pick the transport, run the bootstrap, report.

The Kubernetes side (the password's Secret, the StatefulSet's pods) is read here; the
Redis side (observe -> classify -> plan -> apply) is ``bootstrap.run``, which knows
nothing of Kubernetes and also runs on plain redis-server processes.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import secrets
from ansible_collections.stateful.kube.plugins.module_utils.k8s.errors import ModuleFailure
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import bootstrap, diff, pods
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import password as rotation
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.classify import Shape
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import (
    ApplyError,
    MemberError,
    Refused,
)
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.exec import ExecTransport

# What to do about a member that cannot be talked to, by MemberError.kind.
WHAT_TO_DO = {
    "auth": "check the password option or the Secret it comes from against requirepass in the pods",
    "not_cluster": "the pods need cluster-enabled yes in redis.conf (the redis_cluster role writes it)",
    "unreachable": "check that the pods run and, for transport=direct, that their IPs are reachable from here",
    "timeout": "the member is overloaded or the network drops packets; raise call_timeout or look at the pod",
    "transient": "the member was restarting, loading its data or failing over until the deadline: look at the pod "
                 "and run again",
    "protocol": "the pods need Redis 7 or later (redis-cli --json, CLUSTER ADDSLOTSRANGE)",
}

# Where the pods of the redis_cluster role keep the password their probes and heal sidecar use.
PASSWORD_FILE = "/run/redis/password"


def password_of(clients, params):
    """The password option, else the one in password_secret's Secret, else None."""
    if params["password"] is not None or not params["password_secret"]:
        return params["password"]
    secret = params["password_secret"]
    try:
        return secrets.secret_value(clients, params["namespace"], secret["name"], secret["key"])
    except ValueError as e:
        raise ModuleFailure(str(e)) from None


def members_of(clients, params, shape):
    """The StatefulSet's pods as members, in ordinal order; ModuleFailure when the cluster cannot be judged yet."""
    where = "StatefulSet %s/%s" % (params["namespace"], params["name"])
    members, problems = pods.find_members(clients, params["namespace"], params["name"], params["port"])
    if problems:
        raise ModuleFailure("cannot judge the cluster of %s: %s" % (where, "; ".join(problems)),
                            "wait until its pods run (stateful.kube.statefulset_wait_ordered) and run again")
    if len(members) < shape.size:
        raise ModuleFailure("%d masters with %d replica(s) each need %d pods, %s has %d: raise its replicas first"
                            % (shape.masters, shape.replicas, shape.size, where, len(members)))
    return members


def tls_ca_of(clients, params):
    """The CA (PEM) of tls_secret, which the direct transport checks the members against; None without TLS."""
    if not params.get("tls_secret") or params["transport"] != "direct":
        return None
    try:
        return secrets.secret_value(clients, params["namespace"], params["tls_secret"], "ca.crt")
    except ValueError as e:
        raise ModuleFailure(str(e)) from None


def transport_for(clients, params, password, tls_ca=None):
    if params["transport"] == "direct":
        # Imported here: redis-py takes 0.1-0.2 s to import, which a run through exec (the default) never needs.
        from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.direct import DirectTransport

        return DirectTransport(password=password, timeout=params["call_timeout"], tls_ca_data=tls_ca)
    return ExecTransport(clients.api_client, params["namespace"], container=params["container"], password=password,
                         timeout=params["call_timeout"],
                         tls_ca_path=params.get("tls_ca_path") if params.get("tls_secret") else None)


def rotate_password(clients, params, transport, members, old, check_mode):
    """Rotate to new_password when a member or the Secret does not have it yet; True when it did (or would)."""
    new = params["new_password"]
    secret = params["password_secret"]
    if not secret:
        raise ModuleFailure("new_password needs password_secret", "name the Secret: pods that start later read the "
                            "password from it")
    if not rotation.needs_rotation(rotation.current(transport, members), new, old):
        return False
    if check_mode:
        return True
    files = ExecTransport(clients.api_client, params["namespace"], container=params["container"],
                          timeout=params["call_timeout"])
    rotation.rotate(transport, members, new,
                    lambda value: secrets.write_secret_value(clients, params["namespace"], secret["name"],
                                                             secret["key"], value),
                    lambda member, value: files.write_file(member, PASSWORD_FILE, value))
    return True


def run(clients, params, check_mode=False):
    """The module's result (with its diff); ModuleFailure saying what to do when it cannot finish."""
    shape = Shape(params["masters"], params["replicas_per_master"])
    password = password_of(clients, params)
    members = members_of(clients, params, shape)
    tls_ca = tls_ca_of(clients, params)
    transport = transport_for(clients, params, password, tls_ca)
    rotated = False
    try:
        if params.get("new_password"):
            rotated = rotate_password(clients, params, transport, members, password, check_mode)
            if rotated and not check_mode:
                transport.close()
                password = params["new_password"]
                transport = transport_for(clients, params, password, tls_ca)
        result, classification = bootstrap.run(transport, members, shape, password=password,
                                               timeout=params["timeout"], check_mode=check_mode,
                                               batch=params["migrate_batch"])
    except MemberError as e:
        raise ModuleFailure(str(e), WHAT_TO_DO.get(e.kind, ""), member=e.member, problem=e.kind) from None
    except ApplyError as e:
        raise ModuleFailure("the plan failed at %s" % e, "the cluster is part way: run the module again, it "
                            "continues from what it finds", changed=True, action=e.action) from None
    except Refused as e:
        raise ModuleFailure("refused to change the cluster: %s" % e) from None
    finally:
        if hasattr(transport, "close"):
            transport.close()
    if classification.refused:
        facts = dict(result)
        facts.pop("changed", None)
        raise ModuleFailure("refused, nothing changed: the cluster of StatefulSet %s/%s is %s: %s. Fix it by hand "
                            "(redis-cli --cluster fix, or CLUSTER FORGET of the nodes named) and run again"
                            % (params["namespace"], params["name"], result["state"], "; ".join(result["reasons"])),
                            **facts)
    if rotated:
        result["changed"] = True
        result["password_rotated"] = True
    result["diff"] = diff.of(result)
    return result
