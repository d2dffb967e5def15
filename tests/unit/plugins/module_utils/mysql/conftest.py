"""The captured replies (fixtures/*.json, from real mariadbd 10.11 processes), loaded as observe would."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.mysql.observe import Member, ServerState
from ansible_collections.stateful.kube.plugins.module_utils.mysql.replies import parse_batch

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")


def load_set(name, label=None):
    """``(members, states, raw)`` of fixtures/<name>.json; ``label`` moves the primary label to that ordinal."""
    with open(os.path.join(HERE, name + ".json")) as f:
        raw = json.load(f)
    members = []
    for m in raw["members"]:
        primary = m["primary_label"] if label is None else m["ordinal"] == label
        members.append(Member(m["name"], m["ordinal"], m["host"], m["port"], primary_label=primary,
                              role_label="primary" if primary else "replica"))
    states = {m.name: ServerState.from_replies(m, raw["flavor"], parse_batch(raw["observed"][m.name]))
              for m in members}
    return members, states, raw


@pytest.fixture
def server_set():
    """``server_set("complete")`` -> ``(members, states, raw)``: a fresh copy each call."""
    return load_set
