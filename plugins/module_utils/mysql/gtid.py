# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""GTID positions and sets, as the two servers spell them (pure).

MariaDB names a transaction ``domain-server-seq``. A *position* (``gtid_current_pos``,
``gtid_slave_pos``) holds the last transaction per domain; a *binlog state*
(``gtid_binlog_state``, and a binary log's ``Gtid_list`` event, which is the state at the
start of that log, i.e. what was purged before it) holds the last one per domain and
server. MySQL names a transaction ``uuid:n`` and its variables (``gtid_executed``,
``gtid_purged``) are sets of intervals.

The questions the classifier asks, for both:

- ``missing(replica, source)``: does the replica hold transactions the source has not
  (diverged)?
- ``covered(replica, purged)``: does the source still have in its binary logs everything
  the replica lacks (attach by GTID), or must the replica be seeded?
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class MariaState:
    """A MariaDB position or binlog state: ``{(domain, server): seq}``."""

    def __init__(self, entries=None):
        self.entries = dict(entries or {})

    @classmethod
    def parse(cls, text):
        entries = {}
        for item in (text or "").replace("[", "").replace("]", "").split(","):
            item = item.strip()
            if not item:
                continue
            domain, server, seq = (int(part) for part in item.split("-"))
            key = (domain, server)
            entries[key] = max(seq, entries.get(key, 0))
        return cls(entries)

    def domains(self):
        """``{domain: highest seq}``: where each replication stream has got to."""
        last = {}
        for (domain, _server), seq in self.entries.items():
            last[domain] = max(seq, last.get(domain, 0))
        return last

    def missing(self, other):
        """The transactions of ``self`` that ``other`` lacks, as a state (empty: none).

        With ``gtid_strict_mode`` the sequence numbers a server writes in a domain only
        grow, so ``other`` has ``d-s-n`` when it has seen ``d-s-m`` with ``m >= n``. A pair
        ``(d, s)`` that ``other`` never saw is missing, whatever other servers wrote: that is
        how a write made on a replica (its own server id) shows.
        """
        return MariaState({key: seq for key, seq in self.entries.items() if other.entries.get(key, 0) < seq})

    def union(self, other):
        """Both states in one (the highest seq per pair): a source's binlog state with its slave position."""
        entries = dict(self.entries)
        for key, seq in other.entries.items():
            entries[key] = max(seq, entries.get(key, 0))
        return MariaState(entries)

    def covers(self, purged):
        """True when nothing in ``purged`` (the oldest binary log's Gtid_list) is past ``self``.

        ``self`` is a replica's position; a domain the source purged beyond it means the
        transactions in between exist nowhere but in a backup.
        """
        mine = self.domains()
        return all(mine.get(domain, 0) >= seq for domain, seq in purged.domains().items())

    def __bool__(self):
        return bool(self.entries)

    __nonzero__ = __bool__

    def __eq__(self, other):
        return isinstance(other, MariaState) and self.entries == other.entries

    def __ne__(self, other):
        return not self == other

    def __str__(self):
        return ",".join("%d-%d-%d" % (d, s, n) for (d, s), n in sorted(self.entries.items()))

    __repr__ = __str__


class MysqlSet:
    """A MySQL GTID set: ``{uuid: [(first, last), ...]}`` with sorted, merged intervals."""

    def __init__(self, intervals=None):
        self.intervals = {}
        for uuid, ranges in (intervals or {}).items():
            merged = _merge(ranges)
            if merged:
                self.intervals[uuid.lower()] = merged

    @classmethod
    def parse(cls, text):
        intervals = {}
        for item in (text or "").replace("\n", "").split(","):
            item = item.strip()
            if not item:
                continue
            uuid, _sep, rest = item.partition(":")
            ranges = intervals.setdefault(uuid.lower(), [])
            for part in rest.split(":"):
                first, _dash, last = part.partition("-")
                ranges.append((int(first), int(last or first)))
        return cls(intervals)

    def missing(self, other):
        """The transactions of ``self`` that ``other`` lacks (``self - other``)."""
        result = {}
        for uuid, ranges in self.intervals.items():
            left = []
            for first, last in ranges:
                pieces = [(first, last)]
                for o_first, o_last in other.intervals.get(uuid, []):
                    cut = []
                    for p_first, p_last in pieces:
                        if o_last < p_first or o_first > p_last:
                            cut.append((p_first, p_last))
                            continue
                        if p_first < o_first:
                            cut.append((p_first, o_first - 1))
                        if o_last < p_last:
                            cut.append((o_last + 1, p_last))
                    pieces = cut
                left.extend(pieces)
            if left:
                result[uuid] = left
        return MysqlSet(result)

    def covers(self, purged):
        """True when every purged transaction is in ``self`` (the replica needs nothing purged)."""
        return not purged.missing(self)

    def __bool__(self):
        return bool(self.intervals)

    __nonzero__ = __bool__

    def __eq__(self, other):
        return isinstance(other, MysqlSet) and self.intervals == other.intervals

    def __ne__(self, other):
        return not self == other

    def __str__(self):
        return ",".join(uuid + "".join(":%d" % f if f == last else ":%d-%d" % (f, last) for f, last in ranges)
                        for uuid, ranges in sorted(self.intervals.items()))

    __repr__ = __str__


def _merge(ranges):
    merged = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(last, merged[-1][1]))
        else:
            merged.append((first, last))
    return merged
