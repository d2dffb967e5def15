# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Run a plan: each phase's actions in parallel, each remote call bounded, waits by short polls.

Redis cannot be watched, so a wait reads the members' state again every ``poll`` seconds
(50 ms by default) until the condition holds (``k8s.deadline.poll``), instead of sleeping
whole seconds the way ``redis-cli --cluster`` does. Every wait ends at the run's deadline
with an error that says which member did not reach which state.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import Deadline, poll
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster import concurrency, observe, replies
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.errors import (
    ApplyError,
    MemberError,
    ReplyError,
)
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.plan import PHASES
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.replies import SLOTS
from ansible_collections.stateful.kube.plugins.module_utils.redis_cluster.transport import text

# Epochs and slots of a member go in one round trip. MEETs wait for every member's epoch:
# a server accepts SET-CONFIG-EPOCH only while it knows no other node.
CONFIGURE = ("set_config_epoch", "add_slots")
SLOTS_PER_CHUNK = 1024  # slots opened for migration at once: bounds how long clients see ASK redirects
SLOTS_PER_CALL = 64  # slots whose keys one round trip asks for, and the next one migrates
# A handshake that got no answer is dropped by the server after max(cluster-node-timeout,
# 1 s), and nothing meets that pair again: a member whose every handshake was dropped (it
# could reach nobody for a while: seen on the test bed while the kernel's ARP table was
# full) stays alone for good. A pair still unknown this long after its last MEET is met again.
REMEET_AFTER = 2.0
# Replies of SETSLOT IMPORTING/MIGRATING that mean an earlier run already got the slot there.
ALREADY_MOVED = ("I'm already the owner of hash slot", "I'm not the owner of hash slot")


class Executor:
    """Runs the actions of a plan on ``topology``'s members through ``transport``.

    ``deadline`` (a ``k8s.deadline.Deadline``) bounds every wait; ``sleep`` is the pause
    between polls. Both are the seams a test replaces, with the transport.
    """

    def __init__(self, transport, topology, password=None, deadline=None, poll=0.05, batch=100,
                 migrate_timeout_ms=10000, sleep=time.sleep):
        self.transport = transport
        self.t = topology
        self.password = password
        self.deadline = deadline or Deadline(300.0)
        self.sleep = sleep
        self.poll = poll
        self.batch = batch
        self.migrate_timeout_ms = migrate_timeout_ms
        self.slots_moved = 0
        self.keys_moved = 0
        self.timings = {}
        self.saved_node_timeouts = {}
        self.met = {}  # frozenset((member, peer)) -> when this run last sent a MEET between them

    # -- helpers -------------------------------------------------------------------------

    def member(self, name):
        return self.t.member[name]

    def node_id(self, name):
        return self.t.states[name].node_id

    def call(self, name, commands, action, accept=()):
        """Run ``commands`` on ``name``; an error reply fails ``action`` unless it starts with ``accept``.

        ``accept`` is matched without the generic ``ERR`` code, which redis-cli shows and redis-py drops.
        """
        values = self.transport.call(self.member(name), commands)
        for i, value in enumerate(values):
            command = commands[i]
            message = str(value)[4:] if str(value).startswith("ERR ") else str(value)
            if isinstance(value, ReplyError) and not message.startswith(accept):
                raise ApplyError(action, "%s answered %r to %s" % (name, str(value), " ".join(map(str, command[:4]))))
        return values

    def wait(self, what, check):
        """Poll ``check()`` (returns None when satisfied, else a text saying what is missing)."""
        missing = poll(check, self.deadline, self.poll, self.sleep)
        if missing is not None:
            raise ApplyError({"action": "wait", "for": what}, "not reached within %.0f s: %s"
                             % (self.deadline.seconds, missing))

    def read(self, name, commands):
        """The text of each reply of ``name`` to ``commands``.

        An error reply (a member still LOADING at the deadline, after the transport's
        retries) raises a MemberError that names the member, the command and the reply as
        Redis gave it, so the run fails as what happened, not with a bare reply.
        """
        values = self.transport.call(self.member(name), commands)
        for i, value in enumerate(values):
            if isinstance(value, ReplyError):
                raise observe.member_error(self.member(name), commands[i], value)
        return [text(value) for value in values]

    def nodes(self, name):
        return replies.parse_cluster_nodes(self.read(name, [["CLUSTER", "NODES"]])[0])

    def cluster_ok(self, name):
        info = replies.parse_info(self.read(name, [["CLUSTER", "INFO"]])[0])
        return None if info.get("cluster_state") == "ok" else "%s cluster_state:%s" % (name, info.get("cluster_state"))

    def knows(self, name, other, as_master=False):
        """None when ``name`` knows ``other`` (handshake done; as a master if asked), else what is missing.

        When it does not, ``name`` meets ``other`` again if their last MEET is old (REMEET_AFTER).
        """
        wanted = self.node_id(other)
        for line in self.nodes(name):
            if line.node_id == wanted and not line.in_handshake and line.address:
                if as_master and not line.is_master:
                    return "%s sees %s as a replica" % (name, other)
                return None
        self.meet_again(name, [other])
        return "%s does not know %s yet" % (name, other)

    def meet_again(self, name, others):
        """``name`` MEETs each of ``others`` whose last MEET with it (or the first look) is REMEET_AFTER old."""
        now = self.deadline.clock()
        due = []
        for other in others:
            last = self.met.setdefault(frozenset((name, other)), now)
            if now - last >= REMEET_AFTER:
                due.append(other)
        if due:
            self.meet({"action": "meet", "member": name, "peers": due})

    # -- phases --------------------------------------------------------------------------

    def run(self, actions):
        try:
            self._run(actions)
        finally:
            if self.saved_node_timeouts:  # a failed run must not leave the short timeout behind
                self.restore_node_timeout({"action": "restore_node_timeout", "members": list(self.saved_node_timeouts)})
        return {"timings": self.timings, "slots_moved": self.slots_moved, "keys_moved": self.keys_moved}

    def _run(self, actions):
        for phase in self._phases(actions):
            started = self.deadline.clock()
            kind = _phase_of(phase[0])
            if kind == "configure":
                by_member = {}
                for action in phase:
                    by_member.setdefault(action["member"], []).append(action)
                concurrency.each(lambda item: self.configure(item[0], item[1]), list(by_member.items()))
            elif kind == "move_slots":
                for action in phase:  # one at a time: each move is already a bulk operation
                    self.move_slots(action)
            else:
                concurrency.each(getattr(self, kind), phase)
            self.timings[kind] = round(self.timings.get(kind, 0) + self.deadline.clock() - started, 3)

    @staticmethod
    def _phases(actions):
        """Consecutive actions of one kind (the configure kinds together) form a phase."""
        phases = []
        last = None
        for action in actions:
            kind = _phase_of(action)
            if kind != "configure" and kind not in PHASES:
                raise ApplyError(action, "unknown action")
            if kind == last:
                phases[-1].append(action)
            else:
                phases.append([action])
                last = kind
        return phases

    def meet(self, action):
        now = self.deadline.clock()
        for peer in action["peers"]:
            self.met[frozenset((action["member"], peer))] = now
        self.call(action["member"], [["CLUSTER", "MEET", self.member(peer).host, self.member(peer).port]
                                     for peer in action["peers"]], action)

    def configure(self, name, actions):
        """Epoch and slots of one member in one round trip."""
        commands = []
        for action in actions:
            if action["action"] == "set_config_epoch":
                commands.append(["CLUSTER", "SET-CONFIG-EPOCH", action["epoch"]])
            else:
                command = ["CLUSTER", "ADDSLOTSRANGE"]
                for first, last in replies.slot_ranges(replies.parse_ranges(action["slots"])):
                    command.extend([first, last])
                commands.append(command)
        self.call(name, commands, actions[0])

    def lower_node_timeout(self, action):
        """Save each member's cluster-node-timeout and set the short one (a member refusing CONFIG is skipped)."""
        def lower(name):
            current = self.transport.call(self.member(name), [["CONFIG", "GET", "cluster-node-timeout"]])[0]
            if isinstance(current, ReplyError) or not current:
                return
            value = current.get("cluster-node-timeout") if isinstance(current, dict) else current[1]
            if int(value) <= action["milliseconds"]:
                return
            self.saved_node_timeouts[name] = value
            self.transport.call(self.member(name), [["CONFIG", "SET", "cluster-node-timeout", action["milliseconds"]]])

        concurrency.each(lower, action["members"])

    def restore_node_timeout(self, action):
        saved = dict((name, self.saved_node_timeouts[name]) for name in action["members"]
                     if name in self.saved_node_timeouts)
        concurrency.each(lambda name: self.call(name, [["CONFIG", "SET", "cluster-node-timeout", saved[name]]], action),
                         list(saved))
        for name in saved:
            self.saved_node_timeouts.pop(name, None)

    def failover(self, action):
        name = action["member"]
        self.call(name, [["CLUSTER", "FAILOVER"]], action)

        def promoted():
            me = [line for line in self.nodes(name) if line.myself][0]
            return None if me.is_master else "%s is still a replica" % name

        self.wait("%s to take over from %s" % (name, action["master"]), promoted)

    def move_slots(self, action):
        source, target = action["source"], action["target"]
        self.wait("%s and %s to know each other" % (source, target),
                  lambda: self.knows(source, target) or self.knows(target, source))
        # A master refuses MIGRATE's keys (CLUSTERDOWN) until it reports cluster_state:ok itself.
        self.wait("%s to report cluster_state:ok before it takes keys" % target, lambda: self.cluster_ok(target))
        src_id, dst_id = self.node_id(source), self.node_id(target)
        dst = self.member(target)
        others = [name for name in self.t.desired + self.t.leaving
                  if name not in (source, target) and self.t.states[name].is_master]
        slots = replies.parse_ranges(action["slots"])
        for start in range(0, len(slots), SLOTS_PER_CHUNK):
            chunk = slots[start:start + SLOTS_PER_CHUNK]
            # A resumed move (an earlier run stopped in it) may find either side already done.
            self.call(target, [["CLUSTER", "SETSLOT", s, "IMPORTING", src_id] for s in chunk], action,
                      accept=ALREADY_MOVED)
            self.call(source, [["CLUSTER", "SETSLOT", s, "MIGRATING", dst_id] for s in chunk], action,
                      accept=ALREADY_MOVED)
            counts = self.call(source, [["CLUSTER", "COUNTKEYSINSLOT", s] for s in chunk], action)
            self._migrate_slots(action, source, dst, [s for i, s in enumerate(chunk) if int(counts[i])])
            # The target first: once it owns the slot, the source's redirects point there.
            self.call(target, [["CLUSTER", "SETSLOT", s, "NODE", dst_id] for s in chunk], action)
            # A master that just gave its last slot away turns itself into a replica of the
            # taker (cluster-allow-replica-migration) and refuses SETSLOT: nothing left to do there.
            self.call(source, [["CLUSTER", "SETSLOT", s, "NODE", dst_id] for s in chunk], action,
                      accept=("Please use SETSLOT only with masters",))
            for name in others:  # spreads the news faster than gossip; a failure here is harmless
                try:
                    self.transport.call(self.member(name), [["CLUSTER", "SETSLOT", s, "NODE", dst_id] for s in chunk])
                except Exception:  # noqa: BLE001 - best effort only, gossip delivers it anyway
                    pass
            self.slots_moved += len(chunk)

    def _migrate_slots(self, action, source, dst, slots):
        """Move every key of ``slots`` from ``source`` to ``dst``: many slots per round trip, many keys per MIGRATE.

        One call asks for the keys of up to SLOTS_PER_CALL slots, the next sends one MIGRATE
        per slot with all of them (MIGRATE takes the keys of one slot). Clients may write
        meanwhile: a key that is not on the source any more is written on the target (ASK),
        so a slot is done when the source has no key left in it. REPLACE: a key on both sides
        is one an interrupted MIGRATE copied without deleting it, and the source's is newer.
        """
        auth = ["AUTH", self.password] if self.password else []
        pending = list(slots)
        while pending:
            if self.deadline.expired():
                raise ApplyError(action, "%d slot(s) still have keys on %s after %.0f s (first: %d); they stay open "
                                 "between %s and %s, and the next run finishes moving them"
                                 % (len(pending), source, self.deadline.seconds, pending[0], source, action["target"]))
            group = pending[:SLOTS_PER_CALL]
            keys = self.call(source, [["CLUSTER", "GETKEYSINSLOT", s, self.batch] for s in group], action)
            migrates = [["MIGRATE", dst.host, dst.port, "", 0, self.migrate_timeout_ms, "REPLACE"] + auth
                        + ["KEYS"] + list(found) for found in keys if found]
            if migrates:
                self.call(source, migrates, action, accept=("NOKEY",))
                self.keys_moved += sum(len(found) for found in keys if found)
            emptied = set(s for i, s in enumerate(group) if not keys[i])
            pending = [s for s in pending if s not in emptied]

    def replicate(self, action):
        name, master = action["member"], action["master"]
        self.wait("%s to know its master %s" % (name, master), lambda: self.knows(name, master, as_master=True))
        self.call(name, [["CLUSTER", "REPLICATE", self.node_id(master)]], action)

    def forget(self, action):
        node_id = self.node_id(action["node"])
        concurrency.each(lambda name: self.call(name, [["CLUSTER", "FORGET", node_id]], action,
                                                accept=("Unknown node",)), action["on"])

    def wait_healthy(self, action):
        """Every member ok with all slots and all members known, every replica linked, and the shape reached.

        The shape is checked by counts, not names: a failover while pods restart may swap a
        master and its replica, which is a healthy cluster all the same (the report says so).
        """
        members = action["members"]

        def problems(name):
            try:
                info, replication, nodes = self.read(
                    name, [["CLUSTER", "INFO"], ["INFO", "replication"], ["CLUSTER", "NODES"]])
            except MemberError as e:  # a pod restarting or loading: keep polling until the deadline
                return name, {}, {}, None, str(e)
            lines = replies.parse_cluster_nodes(nodes)
            known = set(line.node_id for line in lines if not line.in_handshake and line.address)
            self.meet_again(name, [other for other in members if self.node_id(other) not in known])
            return name, replies.parse_info(info), replies.parse_info(replication), lines, None

        def check():
            return health_problems(concurrency.each(problems, members), self.t.shape)

        self.wait("every member cluster_state:ok with all slots and every replica linked", check)


def _phase_of(action):
    return "configure" if action["action"] in CONFIGURE else action["action"]


def health_problems(views, shape):
    """What the wait for health still waits for (None when nothing). ``views``: each member's
    ``(name, CLUSTER INFO fields, INFO replication fields, CLUSTER NODES lines, why it could not be read or None)``."""
    missing = []
    for name, info, replication, _nodes, error in views:
        missing.extend([error] if error else healthy_problems(name, info, replication, len(views)))
    if not missing:
        missing = shape_problems(views[0][3], shape.masters, shape.replicas)
    return "; ".join(missing[:8]) if missing else None


def healthy_problems(name, info, replication, expected_nodes):
    """What keeps one member from being healthy (an empty list when it is)."""
    problems = []
    if info.get("cluster_state") != "ok":
        problems.append("%s cluster_state:%s" % (name, info.get("cluster_state")))
    if info.get("cluster_slots_ok") != str(SLOTS):
        problems.append("%s cluster_slots_ok:%s" % (name, info.get("cluster_slots_ok")))
    if info.get("cluster_known_nodes") != str(expected_nodes):
        problems.append("%s knows %s nodes, expected %d" % (name, info.get("cluster_known_nodes"), expected_nodes))
    if replication.get("role") == "slave" and replication.get("master_link_status") != "up":
        problems.append("%s replica link %s" % (name, replication.get("master_link_status")))
    return problems


def shape_problems(lines, masters, replicas):
    """Masters holding slots and replicas per master, as one member's CLUSTER NODES sees them."""
    holders = [line for line in lines if line.is_master and line.slots and not line.failed]
    problems = []
    if len(holders) != masters:
        problems.append("%d masters hold slots, expected %d" % (len(holders), masters))
    for master in holders:
        count = len([line for line in lines if line.master_id == master.node_id and not line.failed])
        if count != replicas:
            problems.append("master %s has %d replica(s), expected %d" % (master.address, count, replicas))
    return problems
