# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""One deadline for a whole run, on a monotonic clock that tests replace.

Every wait of a module shares its run's deadline, so ``timeout`` bounds the run, not each
step. A wait on something the API cannot watch (a Redis server's own state) polls with
``poll`` on the same deadline.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time


class Deadline:
    """``seconds`` from now on ``clock`` (``time.monotonic`` unless a test gives its own).

    ``now()`` is the time of day in epoch seconds, as the API's timestamps are, but moved
    on by the monotonic clock: comparisons with timestamps stay right if the wall clock jumps.
    """

    def __init__(self, seconds, clock=time.monotonic, epoch=time.time):
        self.clock = clock
        self.seconds = seconds
        self.started = clock()
        self.at = self.started + seconds
        self._epoch_started = epoch()

    def remaining(self):
        return max(0.0, self.at - self.clock())

    def expired(self):
        return self.clock() >= self.at

    def elapsed(self):
        return self.clock() - self.started

    def now(self):
        """Epoch seconds now (see the class)."""
        return self._epoch_started + self.elapsed()

    def within(self, seconds):
        """A deadline ``seconds`` from now on the same clock, but never later than this one."""
        return Deadline(min(seconds, self.remaining()), self.clock, self.now)


def poll(check, deadline, interval, sleep=time.sleep):
    """Call ``check()`` every ``interval`` seconds until it returns None (done) or ``deadline`` passes.

    ``check`` returns None when its condition holds, else a short text of what is missing;
    returns None when done, else the last such text (the caller says what timed out).
    """
    while True:
        missing = check()
        if missing is None:
            return None
        if deadline.expired():
            return missing
        sleep(min(interval, max(deadline.remaining(), 0.001)))
