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
