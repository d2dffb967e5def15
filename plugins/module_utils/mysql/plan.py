# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""From a Topology and what the user asked for, the list of actions (pure).

Each action is a dict with ``action``, the ``member`` it changes and a ``why`` (what the
plan shows in check mode and diff):

- ``make_writable``: the primary is read-only (every pod starts so);
- ``replication_user``: create the replication account on the primary (a fresh set), or
  set its new password (rotation); replicated to every server from there;
- ``attach``: point a replica at the primary by GTID and start it (its position is
  still in the primary's binary logs);
- ``seed``: the primary's binary logs no longer reach back to the replica's position:
  copy the primary with the server's backup tool, then attach (a replica that holds
  data is only replaced when the user allowed it);
- ``switchover``: make another server the primary; steps in ``steps``;
- ``label``: move the primary label (the ``-primary`` Service follows it);
- ``root_password``: rotation of the root password, on the primary (replicated); after
  every replica is attached (so they all receive it) and before a switchover (which must
  reach every server with the new one).

An empty plan is a set that needs nothing: the run reports ``changed=false``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.mysql import classify as c


class Desired:
    """What the user asked for."""

    def __init__(self, primary=None, allow_reseed=False, max_lag=30, rotate_replication_password=False,
                 rotate_root_password=False):
        self.primary = primary  # an ordinal, or None: keep whichever is the primary
        self.allow_reseed = allow_reseed
        self.max_lag = max_lag  # seconds: refuse a switchover to a replica further behind
        self.rotate_replication_password = rotate_replication_password
        self.rotate_root_password = rotate_root_password


def _refuse_if_needed(topology, desired):
    """A foreign server is always refused; a diverged one unless the user allowed re-seeding it."""
    refused = (c.FOREIGN,) if desired.allow_reseed else c.REFUSED
    if topology.state in refused:
        bad = ["%s %s" % (name, why) for name, why in sorted(topology.reasons.items())
               if topology.verdicts.get(name) in c.REFUSED]
        advice = {
            c.DIVERGED: "Nothing was changed. Compare that data with the primary's; to throw the replica's copy "
                        "away and copy the primary, run again with allow_reseed: true",
            c.FOREIGN: "Nothing was changed. Point it back at our primary by hand, or remove the pod from the set",
        }[topology.state]
        raise c.Refused("%s: %s. %s" % (topology.state, "; ".join(bad), advice))


def _join(topology, name, primary, desired):
    """attach or seed one replica that is new or broken."""
    state = topology.states[name]
    replication = state.replication if state.replicating else None
    sql_failure = replication is not None and replication.sql_errno and primary.member.answers_to(
        replication.source_host, replication.source_port)
    if state.covered_by(primary) and not sql_failure:
        why = topology.reasons.get(name) or "replicates from nobody"
        position = None if state.empty else str(state.position)
        return {"action": "attach", "member": name, "source": primary.name, "gtid_slave_pos": position,
                "why": "%s; the primary's binary logs reach back to its position (%s)" % (
                    why, position or "empty")}
    if sql_failure:
        why = "its SQL thread failed on the primary's changes (%s): its data differs from the primary's" % (
            replication.last_error)
    else:
        why = "its position (%s) is older than what the primary %s still has in its binary logs (purged up to %s)" % (
            state.position or "empty", primary.name, primary.purged)
    if not state.empty and not desired.allow_reseed:
        raise c.Refused("%s %s. Nothing was changed. Seeding it from %s replaces its data: run again with "
                        "allow_reseed: true to allow that" % (name, why, primary.name))
    return {"action": "seed", "member": name, "source": primary.name, "replaces_data": not state.empty,
            "why": why}


def _reseed(topology, name, primary):
    """A diverged replica, with allow_reseed: its data is replaced by a copy of the primary."""
    return {"action": "seed", "member": name, "source": primary.name, "replaces_data": True,
            "why": "it %s; allow_reseed: its data is replaced by a copy of %s (the old datadir stays on its volume)"
                   % (topology.reasons[name], primary.name)}


def switchover_steps(old, new, others):
    return ["check that %s lags %s by no more than the bound" % (new, old),
            "make %s read-only" % old,
            "wait until %s has applied everything %s logged" % (new, old),
            "stop replication on %s and make it writable" % new,
            "move the primary label to %s" % new,
            "repoint %s to %s" % (", ".join([old] + others), new)]


def plan(topology, desired):
    """The actions that bring the set to one primary and every other server replicating from it."""
    _refuse_if_needed(topology, desired)
    primary = topology.primary
    actions = []
    if topology.state == c.EMPTY:
        actions.append({"action": "replication_user", "member": primary.name,
                        "why": "a fresh set: the account replicas connect with"})
    elif desired.rotate_replication_password:
        actions.append({"action": "replication_user", "member": primary.name,
                        "why": "rotation: set the new replication password, then repoint every replica"})
    if primary.read_only:
        actions.insert(0, {"action": "make_writable", "member": primary.name,
                           "why": "the primary is read-only (every server starts so)"})
    joining = []
    for name in topology.named(c.NEW) + topology.named(c.BROKEN):
        joining.append(_join(topology, name, primary, desired))
    joining += [_reseed(topology, name, primary) for name in topology.named(c.DIVERGED)]  # only with allow_reseed
    if desired.rotate_replication_password:
        attached = set(a["member"] for a in joining)
        joining += [{"action": "attach", "member": name, "source": primary.name, "gtid_slave_pos": None,
                     "why": "reconnect with the rotated replication password"}
                    for name in topology.named(c.OK) if name not in attached]
    actions += sorted(joining, key=lambda a: topology.states[a["member"]].member.ordinal)
    members = topology.members
    joined = set(a["member"] for a in joining)  # attach and seed label their replica
    stale = [name for name in c.stale_labels(members, primary.name) if name not in joined]
    if stale:
        actions.append({"action": "label", "member": primary.name,
                        "why": "the role labels of %s are not what they are (primary label on %s)" % (
                            ", ".join(stale), ", ".join(m.name for m in members if m.primary_label) or "no pod")})
    if desired.rotate_root_password:
        actions.append({"action": "root_password", "member": primary.name,
                        "why": "rotation: set the new root password on the primary, replicated to every server; "
                               "the module goes on with it once each server accepts it"})
    if desired.primary is not None and desired.primary != primary.member.ordinal:
        target = [m for m in members if m.ordinal == desired.primary]
        if not target:
            raise c.Refused("primary: %d is not one of the pods (%s). Nothing was changed" % (
                desired.primary, ", ".join(m.name for m in members)))
        new = target[0].name
        if topology.verdicts.get(new) != c.OK:
            raise c.Refused("cannot switch over to %s: it %s. Nothing was changed: run once without primary: to "
                            "heal it, then again" % (new, topology.reasons.get(new, "is not a running replica")))
        others = [m.name for m in members if m.name not in (new, primary.name)]
        actions.append({"action": "switchover", "member": new, "old": primary.name, "others": others,
                        "max_lag": desired.max_lag, "steps": switchover_steps(primary.name, new, others),
                        "why": "primary: %d requested, the primary is %s" % (desired.primary, primary.name)})
    return actions


def describe(actions):
    """One line per action, for check mode, diff and the report."""
    lines = []
    for a in actions:
        line = "%s %s" % (a["action"], a["member"])
        if a.get("source"):
            line += " from %s" % a["source"]
        if a["action"] == "switchover":
            line += " (from %s: %s)" % (a["old"], "; ".join(a["steps"]))
        lines.append("%s: %s" % (line, a["why"]))
    return lines
