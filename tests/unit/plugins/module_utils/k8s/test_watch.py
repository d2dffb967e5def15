from __future__ import absolute_import, division, print_function

__metaclass__ = type

import queue

from ansible_collections.stateful.kube.plugins.module_utils.k8s import watch
from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import ApiException


def pod(name, version):
    return {"metadata": {"name": name, "resourceVersion": version}}


def scripted_feed(fakes, lists, watches):
    """A Feed whose list call answers ``lists`` in turn and whose watches replay ``watches`` in turn.

    Each watch is a list of events, or an exception to raise; the feed stops after the last.
    """
    lists, watches, streams = list(lists), list(watches), []

    def list_pods(namespace, **query):
        return fakes.Response(lists.pop(0))

    class Watch:
        def stream(self, call, *args, **query):
            streams.append(dict(query))
            events = watches.pop(0)
            if not watches:
                feed.stopped.set()
            if isinstance(events, Exception):
                raise events
            return iter(events)

        def stop(self):
            pass

    class Feed(watch.Feed):
        watch_class = Watch

    feed = Feed("pods", queue.Queue(), list_pods, "data", label_selector="app=web")
    feed.stopped.wait = lambda seconds: None  # no real pause between retries
    return feed, streams


def drain(feed):
    items = []
    while not feed.queue.empty():
        items.append(feed.queue.get_nowait()[1:])
    return items


def test_a_feed_lists_then_watches_from_the_list_version_and_resumes_from_the_last_seen(fakes):
    feed, streams = scripted_feed(fakes, [{"items": [pod("web-0", "10")], "metadata": {"resourceVersion": "12"}}], [
        [{"type": "ADDED", "object": pod("web-1", "13")}, {"type": "BOOKMARK", "object": pod("", "15")}],
        [{"type": "DELETED", "object": pod("web-1", "16")}],
    ])
    feed.run()
    assert drain(feed) == [(watch.SYNC, [pod("web-0", "10")]), (watch.EVENT, ("ADDED", pod("web-1", "13"))),
                           (watch.EVENT, ("DELETED", pod("web-1", "16")))]
    assert [s["resource_version"] for s in streams] == ["12", "15"]
    assert streams[0]["label_selector"] == "app=web" and streams[0]["allow_watch_bookmarks"] is True
    assert feed.synced


def test_a_version_too_old_lists_again_and_other_errors_reach_the_waiter(fakes):
    gone = ApiException(status=410, reason="Gone")
    broken = ApiException(status=500, reason="Internal Server Error")
    feed, streams = scripted_feed(fakes, [
        {"items": [], "metadata": {"resourceVersion": "5"}},
        {"items": [pod("web-0", "30")], "metadata": {"resourceVersion": "31"}},
    ], [gone, broken, []])
    feed.run()
    assert drain(feed) == [(watch.SYNC, []), (watch.SYNC, [pod("web-0", "30")]), (watch.ERROR, broken)]
    # After 410 the feed lists again; after another error it resumes from where it was.
    assert [s["resource_version"] for s in streams] == ["5", "31", "31"]
