# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Name the state of the set from what every server says about itself (pure).

First the primary: the one writable server; if none is writable (every pod starts
read-only, so a restarted primary is), the server our replicas replicate from; if nobody
replicates yet, the only server with transactions, else the requested ordinal (default
the lowest). Two writable servers, or replicas following two different roots, are refused.

Then each other server gets a verdict:

- ``ok``: replicates from the primary, both threads running, no error;
- ``new``: replicates from nobody and has no transaction of its own that the primary
  lacks (a fresh pod, or one added by a scale-up);
- ``broken``: replicates from the primary but a thread is stopped or failing, or
  replicates from another of our servers (left behind by a switchover);
- ``diverged``: holds transactions the primary does not have: refused, nothing changes;
- ``foreign``: replicates from a server that is none of ours: refused.

And the set's state, the first that holds: ``foreign``, ``diverged``, ``empty`` (every
server fresh), ``replica_broken``, ``scale_up`` (some servers ``new``), ``primary_moved``
(the primary is read-only, or the role labels are not where the servers are: another pod
labelled primary, or a re-created pod without its label), ``complete``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

FOREIGN = "foreign"
DIVERGED = "diverged"
EMPTY = "empty"
REPLICA_BROKEN = "replica_broken"
SCALE_UP = "scale_up"
PRIMARY_MOVED = "primary_moved"
COMPLETE = "complete"
REFUSED = (FOREIGN, DIVERGED)

OK, NEW, BROKEN = "ok", "new", "broken"


class Refused(Exception):
    """The servers are in a shape no plan may touch; the message says what and why."""


class Topology:
    """The facts the planner needs, derived once."""

    def __init__(self, state, primary, verdicts, reasons, members, states):
        self.state = state
        self.primary = primary  # a ServerState
        self.verdicts = verdicts  # {name: verdict} for every non-primary server
        self.reasons = reasons  # {name: why}, for broken / diverged / foreign
        self.members = members
        self.states = states

    def named(self, verdict):
        return [m.name for m in self.members if self.verdicts.get(m.name) == verdict]

    def facts(self):
        return {"state": self.state, "primary": self.primary.name if self.primary else None,
                "members": [dict(self.states[m.name].facts(), verdict="primary" if m.name == self.primary.name
                                 else self.verdicts[m.name], reason=self.reasons.get(m.name))
                            for m in self.members]}


def _member_at(members, host, port):
    for member in members:
        if member.answers_to(host, port):
            return member
    return None


def find_primary(members, states, requested=None):
    """``(primary ServerState, foreign {name: why})``; raises Refused for two primaries."""
    foreign, sources = {}, {}
    for member in members:
        state = states[member.name]
        if state.replicating:
            source = _member_at(members, state.replication.source_host, state.replication.source_port)
            if source is None:
                foreign[member.name] = "replicates from %s:%d, which is none of %s" % (
                    state.replication.source_host, state.replication.source_port,
                    ", ".join(m.name for m in members))
            else:
                sources[member.name] = source.name
    writable = [m.name for m in members if not states[m.name].read_only]
    if len(writable) > 1:
        raise Refused("%s are all writable: two primaries (split brain). Make all but the true primary read-only "
                      "(SET GLOBAL read_only=ON) and compare their data before running again"
                      % ", ".join(writable))
    if writable:
        return states[writable[0]], foreign
    # Roots: the sources of our replicas that themselves replicate from nobody.
    roots = set()
    for name in sources:
        root, seen = name, set()
        while root in sources and root not in seen:
            seen.add(root)
            root = sources[root]
        if root not in sources:
            roots.add(root)
    if len(roots) > 1:
        raise Refused("replicas follow %s, which replicate from nobody: two primaries. Repoint the replicas of "
                      "the wrong one by hand, or run with primary: <ordinal> of the right one"
                      % " and ".join(sorted(roots)))
    if roots:
        return states[roots.pop()], foreign
    with_data = [m.name for m in members if not states[m.name].empty]
    if len(with_data) == 1:
        return states[with_data[0]], foreign
    labelled = [m for m in members if m.primary_label]
    if requested is not None:
        chosen = [m for m in members if m.ordinal == requested]
    elif labelled:
        chosen = labelled
    else:
        chosen = members[:1]
    if not chosen:
        raise Refused("primary ordinal %s is not one of the pods (%s)"
                      % (requested, ", ".join(m.name for m in members)))
    return states[chosen[0].name], foreign


def verdict(state, primary, members):
    """``(verdict, reason)`` of one non-primary server against the primary."""
    missing = state.missing_from(primary)
    if missing:
        return DIVERGED, "has transactions %s that the primary %s lacks" % (missing, primary.name)
    if not state.replicating:
        return NEW, None
    replication = state.replication
    if not primary.member.answers_to(replication.source_host, replication.source_port):
        return BROKEN, "replicates from %s:%d, not from the primary %s" % (
            replication.source_host, replication.source_port, primary.name)
    if not replication.running or replication.last_error:
        return BROKEN, "IO thread %s, SQL thread %s%s" % (
            replication.io_running, replication.sql_running,
            "; " + replication.last_error if replication.last_error else "")
    return OK, None


def stale_labels(members, primary):
    """The pods whose role label is not what they are (a re-created pod has none)."""
    return [m.name for m in members if m.role_label != ("primary" if m.name == primary else "replica")]


def classify(members, states, requested=None):
    """The Topology of ``members`` (ordinal order) from their ``states`` ({name: ServerState})."""
    primary, foreign = find_primary(members, states, requested)
    verdicts, reasons = {}, {}
    for member in members:
        if member.name == primary.name:
            continue
        if member.name in foreign:
            verdicts[member.name], reasons[member.name] = FOREIGN, foreign[member.name]
            continue
        verdicts[member.name], reasons[member.name] = verdict(states[member.name], primary, members)
    found = set(verdicts.values())
    if FOREIGN in found:
        state = FOREIGN
    elif DIVERGED in found:
        state = DIVERGED
    elif all(states[m.name].empty for m in members) and not any(states[m.name].replicating for m in members):
        state = EMPTY
    elif BROKEN in found:
        state = REPLICA_BROKEN
    elif NEW in found:
        state = SCALE_UP
    elif primary.read_only or stale_labels(members, primary.name):
        state = PRIMARY_MOVED
    else:
        state = COMPLETE
    reasons = {name: why for name, why in reasons.items() if why}
    return Topology(state, primary, verdicts, reasons, members, states)
