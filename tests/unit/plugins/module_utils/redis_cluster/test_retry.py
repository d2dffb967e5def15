"""Transient failures retried within the deadline: which ones, and what is sent again."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import MemberError, ReplyError
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.exec import incomplete
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.retry import RetryingTransport
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.transport import Member

MEMBER = Member("redis-0", "10.244.1.2", 6379, pod="redis-0")
LOADING = ReplyError("LOADING Redis is loading the dataset in memory")


class Scripted:
    """A transport answering from a script: each call pops the next answer (a list of replies or an error)."""

    name = "scripted"

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent = []

    def call(self, member, commands, timeout=None):
        self.sent.append(commands)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


def retrying(transport, deadline=60.0):
    clock = Clock()
    return RetryingTransport(transport, deadline=deadline, clock=clock, sleep=clock.sleep)


def test_only_the_commands_answered_loading_are_sent_again():
    transport = Scripted(["id", LOADING, LOADING], ["cluster_state:ok", 7])
    replies = retrying(transport).call(MEMBER, [["CLUSTER", "MYID"], ["CLUSTER", "INFO"], ["DBSIZE"]])
    assert replies == ["id", "cluster_state:ok", 7]
    assert transport.sent[1] == [["CLUSTER", "INFO"], ["DBSIZE"]]


def test_a_cut_stream_is_retried_when_every_command_may_run_twice():
    cut = MemberError("redis-0", "transient", "the exec in pod redis-0 ended after 4 of 5 replies")
    transport = Scripted(cut, ["OK", "OK"])
    assert retrying(transport).call(MEMBER, [["CLUSTER", "SETSLOT", 1, "NODE", "x"], ["CLUSTER", "MEET", "a", 1]]) \
        == ["OK", "OK"]


def test_a_cut_stream_is_not_retried_when_a_command_must_not_run_twice():
    cut = MemberError("redis-0", "transient", "the exec in pod redis-0 ended after 0 of 1 replies")
    with pytest.raises(MemberError) as raised:
        retrying(Scripted(cut, ["OK"])).call(MEMBER, [["CLUSTER", "ADDSLOTSRANGE", 0, 100]])
    assert raised.value is cut


def test_a_wrong_password_is_not_retried():
    refused = MemberError("redis-0", "auth", "AUTH failed")
    with pytest.raises(MemberError) as raised:
        retrying(Scripted(refused)).call(MEMBER, [["PING"]])
    assert raised.value.kind == "auth"


def test_a_member_loading_past_the_deadline_is_reported_with_its_raw_reply():
    transport = Scripted(*([[LOADING]] * 100))
    replies = retrying(transport, deadline=2.0).call(MEMBER, [["CLUSTER", "INFO"]])
    assert replies == [LOADING]
    assert 2 < len(transport.sent) < 100


def test_an_unreachable_member_is_given_up_well_before_a_long_deadline():
    gone = MemberError("redis-0", "unreachable", "cannot exec in pod default/redis-0: 404")
    transport = Scripted(*([gone] * 200))
    with pytest.raises(MemberError) as raised:
        retrying(transport, deadline=600.0).call(MEMBER, [["PING"]])
    assert raised.value.kind == "unreachable" and "still so after" in str(raised.value)
    assert len(transport.sent) < 60


def test_an_exec_cut_short_by_loading_is_transient_not_a_redis_version_problem():
    stdout = 'error:"LOADING Redis is loading the dataset in memory"\n'
    error = incomplete(MEMBER, 0, 5, stdout, "")
    assert error.kind == "transient" and "loading" in error.detail and "LOADING" in error.detail


def test_only_a_redis_cli_without_json_is_a_version_problem():
    error = incomplete(MEMBER, 0, 5, "", "Unrecognized option or bad number of args for: '--json'")
    assert error.kind == "protocol"
    assert incomplete(MEMBER, 4, 5, '"x"\n', "").kind == "transient"


def test_a_migrate_refused_by_a_target_that_reports_the_cluster_down_is_sent_again():
    refused = ReplyError("Target instance replied with error: CLUSTERDOWN The cluster is down")
    transport = Scripted(["OK", refused], ["OK"])
    migrate = ["MIGRATE", "10.0.0.2", 6379, "", 0, 10000, "REPLACE", "KEYS", "k"]
    assert retrying(transport).call(MEMBER, [migrate, migrate]) == ["OK", "OK"]
    assert transport.sent[1] == [migrate]


def test_a_stream_cut_until_the_deadline_is_reported_naming_the_member_and_what_it_printed():
    cut = incomplete(MEMBER, 2, 5, '"OK"\n"OK"\n', "error: websocket: close 1006 (abnormal closure)")
    transport = Scripted(*([cut] * 100))
    with pytest.raises(MemberError) as raised:
        retrying(transport, deadline=3.0).call(MEMBER, [["CLUSTER", "INFO"]])
    assert raised.value.member == "redis-0" and raised.value.kind == "transient"
    assert "ended after 2 of 5 replies" in str(raised.value) and "close 1006" in str(raised.value)
    assert "still so after" in str(raised.value) and 2 < len(transport.sent) < 100
