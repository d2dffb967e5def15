# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The errors every step of the bootstrap raises, so the module can say what to do next."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ReplyError(Exception):
    """An error reply from Redis (kept as a value inside a list of replies)."""

    def __eq__(self, other):
        return isinstance(other, ReplyError) and str(other) == str(self)

    def __hash__(self):
        return hash(str(self))


class MemberError(Exception):
    """A member could not be talked to: unreachable, wrong password, timeout, not cluster-enabled."""

    def __init__(self, member, kind, detail):
        self.member = member
        self.kind = kind  # one of: auth, unreachable, timeout, transient, protocol, not_cluster
        self.detail = detail
        super(MemberError, self).__init__("%s: %s (%s)" % (member, detail, kind))


class Refused(Exception):
    """The cluster is in a state the module will not touch (foreign, inconsistent, unreachable shape)."""


class ApplyError(Exception):
    """An action of the plan failed or timed out; ``action`` is the action that did."""

    def __init__(self, action, detail):
        self.action = action
        self.detail = detail
        super(ApplyError, self).__init__("%s: %s" % (describe(action), detail))


def describe(action):
    """A one-line text for an action dict (errors and logs)."""
    details = " ".join("%s=%s" % (key, action[key]) for key in sorted(action) if key != "action")
    return ("%s %s" % (action.get("action", "?"), details)).strip()
