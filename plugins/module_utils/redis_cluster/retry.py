# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Transient failures, retried within the run's deadline, and reported as what they are when they last.

Two kinds of transient failure:

- an error reply that means "not now": ``LOADING`` (a member reading its data after a
  restart), ``TRYAGAIN`` (keys of a multi-key command in a slot being moved),
  ``CLUSTERDOWN`` and ``MASTERDOWN`` (a failover or a heal in progress). The command did
  not run, so only the commands that got such a reply are sent again, in their order.
- a call that failed as a whole (``MemberError`` of kind ``transient``, ``unreachable`` or
  ``timeout``: an exec stream cut, a pod restarting). Some of its commands may have run, so
  the whole call is sent again only when every command in it can run twice with the same
  effect; otherwise the error goes up at once (the next run continues from what it finds).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import MemberError, ReplyError

TRANSIENT_REPLIES = ("LOADING", "TRYAGAIN", "CLUSTERDOWN", "MASTERDOWN")
TRANSIENT_KINDS = ("transient", "unreachable", "timeout")
# A member that cannot be reached at all is given this long, not the whole run: a pod that
# is gone stays gone, and the run should say so soon.
UNREACHABLE_PATIENCE = 30.0
# Commands whose second run differs from the first (an error, or a second failover).
NOT_REPEATABLE = ("ADDSLOTS", "ADDSLOTSRANGE", "SET-CONFIG-EPOCH", "FAILOVER")


# MIGRATE passes on the target's refusal behind this prefix (a target that has just joined
# may still report the cluster down for a moment, even after it said ok).
TARGET_PREFIX = "Target instance replied with error: "


def is_transient_reply(value):
    if not isinstance(value, ReplyError):
        return False
    message = str(value)
    if message.startswith("ERR "):
        message = message[4:]
    if message.startswith(TARGET_PREFIX):
        message = message[len(TARGET_PREFIX):]
    return message.split(" ", 1)[0] in TRANSIENT_REPLIES


def repeatable(commands):
    """True when every command may run twice: none of them is in NOT_REPEATABLE."""
    for command in commands:
        words = [str(word).upper() for word in command[:2]]
        if any(word in NOT_REPEATABLE for word in words):
            return False
    return True


class RetryingTransport:
    """Wraps a transport: same ``call``, with transient failures retried until ``deadline``."""

    def __init__(self, transport, deadline, pause=0.1, max_pause=1.0, clock=time.monotonic, sleep=time.sleep):
        self.transport = transport
        self.name = getattr(transport, "name", "transport")
        self.deadline = deadline
        self.pause = pause
        self.max_pause = max_pause
        self.clock = clock
        self.sleep = sleep
        self.retries = 0

    def __getattr__(self, attribute):  # close(), password, ... of the wrapped transport
        return getattr(self.transport, attribute)

    def call(self, member, commands, timeout=None):
        replies = [None] * len(commands)
        pending = list(range(len(commands)))
        pause = self.pause
        give_up = self.deadline
        while True:
            try:
                got = self.transport.call(member, [commands[i] for i in pending], timeout=timeout)
            except MemberError as e:
                if e.kind not in TRANSIENT_KINDS or not repeatable([commands[i] for i in pending]):
                    raise
                if e.kind != "transient":
                    give_up = min(give_up, self.clock() + UNREACHABLE_PATIENCE)
                if self.clock() + pause > give_up:
                    detail = "%s; still so after %d retries" % (e.detail, self.retries)
                    raise MemberError(e.member, e.kind, detail) from e
            else:
                for position, i in enumerate(pending):
                    replies[i] = got[position]
                pending = [i for i in pending if is_transient_reply(replies[i])]
                if not pending:
                    return replies
                if self.clock() + pause > self.deadline:
                    return replies  # the caller reports the transient replies with the member and command
            self.retries += 1
            self.sleep(pause)
            pause = min(self.max_pause, pause * 2)
