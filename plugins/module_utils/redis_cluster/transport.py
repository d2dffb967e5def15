# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What both transports share: the members they talk to and the shape of a call.

A transport sends a list of commands to one member in one round trip and returns one
reply per command: ``str``, ``int``, ``list``, ``None`` or a ``ReplyError`` (error
replies are values, so one failing command does not hide the others' replies). A member
it cannot talk to raises ``MemberError``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class Member:
    """One Redis server of the cluster: the name we report it by and how peers reach it."""

    def __init__(self, name, host, port, k8s_node=None, ordinal=None, pod=None):
        self.name = name
        self.host = host  # the address the other members reach it at (a pod IP)
        self.port = port
        self.k8s_node = k8s_node  # the Kubernetes node it runs on, for replica placement
        self.ordinal = ordinal
        self.pod = pod  # the pod name (exec transport)

    @property
    def address(self):
        return "%s:%d" % (self.host, self.port)

    def __repr__(self):
        return "Member(%s at %s on %s)" % (self.name, self.address, self.k8s_node)


def members_from_addresses(addresses):
    """Members for an explicit list of ``host:port`` (no Kubernetes): named by their address."""
    members = []
    for ordinal, address in enumerate(addresses):
        host, _sep, port = address.rpartition(":")
        members.append(Member(name=address, host=host, port=int(port), ordinal=ordinal))
    return members


def text(reply):
    """A reply expected to be a string: raise its error, decode bytes."""
    if isinstance(reply, Exception):
        raise reply
    if isinstance(reply, bytes):
        return reply.decode("utf-8", "surrogateescape")
    return reply
