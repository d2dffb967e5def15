from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s import events as eventinfo


def test_events_are_summarised_by_reason_in_the_order_they_last_happened(load):
    events = load("events_crashloop")["items"]
    summaries = eventinfo.summarize_events(list(reversed(events)), limit=2)
    assert [s["reason"] for s in summaries] == ["Started", "BackOff"]
    assert eventinfo.events_phrase(summaries) == "Started x4, BackOff x3"
    assert eventinfo.last_message(summaries, "BackOff") == "Back-off restarting failed container"
    assert eventinfo.last_message(summaries, "Unhealthy") is None
