"""Waiting for a condition the tests and benchmarks cannot watch (Redis replies, files on NFS)."""

import time


def wait_for(what, predicate, timeout=60, interval=0.2, tolerate=()):
    """Call ``predicate()`` until it returns something truthy and return that; fail after ``timeout`` s.

    Exceptions of the classes in ``tolerate`` count as "not yet" (a server still starting).
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            value = predicate()
        except tolerate:
            value = None
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("timed out after %d s waiting for %s" % (timeout, what))
        time.sleep(interval)
