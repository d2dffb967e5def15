from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import classify as c
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import MemberError, ReplyError
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.observe import OBSERVE_COMMANDS, observe


def test_every_member_is_read_with_one_round_trip_of_the_observe_commands(cluster, transport):
    members, _states, raw = cluster("scale_up")
    fake = transport(raw)
    states = observe(fake, members)
    assert sorted(states) == sorted(m.name for m in members)
    assert sorted(name for name, _commands in fake.calls) == sorted(m.name for m in members)
    assert all(commands == OBSERVE_COMMANDS for _name, commands in fake.calls)
    assert c.classify(members, states, c.Shape(4, 1)).state == c.SCALE_UP


@pytest.mark.parametrize("reply, kind", [
    ("NOAUTH Authentication required.", "auth"),
    ("ERR This instance has cluster support disabled", "not_cluster"),
    ("ERR unknown command 'CLUSTER'", "protocol"),
])
def test_an_error_reply_names_the_member_and_the_kind_of_problem(cluster, transport, reply, kind):
    members, _states, raw = cluster("empty")

    def refuse(member, command):
        return ReplyError(reply) if member.name == "redis-1" else NotImplemented

    with pytest.raises(MemberError) as failed:
        observe(transport(raw, refuse), members)
    assert (failed.value.member, failed.value.kind) == ("redis-1", kind)
