from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import Deadline, poll


def test_poll_checks_until_the_condition_holds(clock):
    answers = iter(["1 of 3", "2 of 3", None])
    assert poll(lambda: next(answers), Deadline(10, clock), 0.05, clock.sleep) is None
    assert round(clock.now, 6) == 1000.1


def test_poll_returns_what_is_missing_when_the_deadline_passes(clock):
    deadline = Deadline(1, clock)
    assert poll(lambda: "still 2 of 3", deadline, 0.3, clock.sleep) == "still 2 of 3"
    assert deadline.expired() and round(deadline.elapsed(), 3) == 1.0


def test_now_follows_the_monotonic_clock_from_the_wall_clock_at_start(clock):
    deadline = Deadline(30, clock, epoch=lambda: 1700000000.0)
    clock.sleep(2.5)
    assert deadline.now() == 1700000002.5
    assert deadline.remaining() == 27.5
    inner = deadline.within(60)
    assert inner.remaining() == 27.5 and inner.now() == 1700000002.5
