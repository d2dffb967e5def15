"""The captured replies (fixtures/*.json, from real redis-server 7 processes), loaded as observe would."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.observe import MemberState
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.transport import Member

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def load_cluster(name):
    """``(members, states, raw)`` of fixtures/<name>.json."""
    with open(os.path.join(HERE, name + ".json")) as f:
        raw = json.load(f)
    members = [Member(m["name"], m["host"], m["port"], k8s_node=m["k8s_node"], ordinal=i, pod=m["name"])
               for i, m in enumerate(raw["members"])]
    states = {}
    for member in members:
        r = raw["replies"][member.name]
        states[member.name] = MemberState.from_replies(member, r["myid"], r["cluster_info"], r["cluster_nodes"],
                                                       r["dbsize"], r["replication"])
    return members, states, raw


@pytest.fixture
def cluster():
    """``cluster("complete")`` -> ``(members, states, raw)``: a fresh copy each call."""
    return load_cluster


class FakeTransport:
    """A transport answering from captured replies (``raw["replies"]``) or from ``answer(member, command)``.

    Every call is recorded as ``(member name, [command, ...])``.
    """

    FIELDS = {("CLUSTER", "MYID"): "myid", ("CLUSTER", "INFO"): "cluster_info", ("CLUSTER", "NODES"): "cluster_nodes",
              ("DBSIZE",): "dbsize", ("INFO", "replication"): "replication"}

    def __init__(self, raw=None, answer=None):
        self.raw = raw
        self.answer = answer
        self.calls = []

    def call(self, member, commands, timeout=None):
        self.calls.append((member.name, [list(command) for command in commands]))
        return [self._reply(member, command) for command in commands]

    def _reply(self, member, command):
        if self.answer is not None:
            reply = self.answer(member, list(command))
            if reply is not NotImplemented:
                return reply
        return self.raw["replies"][member.name][self.FIELDS[tuple(command)]]

    def sent(self, verb):
        """``[(member, command)]`` of every command starting with ``verb`` (a list of words)."""
        return [(name, command) for name, commands in self.calls for command in commands
                if command[:len(verb)] == verb]


@pytest.fixture
def transport():
    """``transport(raw=None, answer=None)``: a FakeTransport."""
    return FakeTransport
