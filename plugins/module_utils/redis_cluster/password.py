# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Password rotation on every member without downtime.

The order is what keeps every client and every replica working:

1. every member accepts the new password besides the old one (``ACL SETUSER default
   >new``), and replicas authenticate to their masters with it (``CONFIG SET masterauth``):
   a replica that reconnects now is let in, whichever side has gone further;
2. the new password goes into the Secret (pods that start from now on use it) and into
   ``/run/redis/password`` in every pod (what the probes and the heal sidecar read);
3. the switch: ``CONFIG SET requirepass new`` on every member, which drops the old one.

Connections already authenticated stay so; a client that opens a new connection with the
old password is refused only from step 3 on. Each step may run again: an interrupted
rotation is finished by running it again with the same new password.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import concurrency
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import ApplyError, ReplyError


def config_value(reply, name):
    """The value of ``CONFIG GET name`` (a dict with RESP3/redis-cli --json, else [name, value])."""
    if isinstance(reply, dict):
        return reply.get(name)
    if isinstance(reply, list) and len(reply) >= 2:
        return reply[1]
    return None


def current(transport, members):
    """``{member: (requirepass, masterauth)}`` as the members have them now."""
    def read(member):
        values = transport.call(member, [["CONFIG", "GET", "requirepass"], ["CONFIG", "GET", "masterauth"]])
        for value in values:
            if isinstance(value, ReplyError):
                raise ApplyError({"action": "rotate_password", "member": member.name}, "CONFIG GET answered %s"
                                 % value)
        return member.name, (config_value(values[0], "requirepass"), config_value(values[1], "masterauth"))

    return dict(concurrency.each(read, members))


def needs_rotation(seen, new, secret_value):
    """True when a member or the Secret does not have ``new`` as its only password yet."""
    return secret_value != new or any(pair != (new, new) for pair in seen.values())


def rotate(transport, members, new, write_secret, write_pod_file):
    """Run the three steps on ``members`` (see the module docstring); ``transport`` still uses the old password."""
    def call(member, commands, step):
        for value in transport.call(member, commands):
            if isinstance(value, ReplyError):
                raise ApplyError({"action": "rotate_password", "member": member.name, "step": step},
                                 "%s answered %s" % (member.name, value))

    concurrency.each(lambda member: call(member, [["ACL", "SETUSER", "default", "on", ">" + new],
                                                  ["CONFIG", "SET", "masterauth", new]], "accept both"), members)
    write_secret(new)
    concurrency.each(lambda member: write_pod_file(member, new), members)
    concurrency.each(lambda member: call(member, [["CONFIG", "SET", "requirepass", new]], "switch"), members)
