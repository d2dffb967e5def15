# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Carry out a plan's actions, in order, on the live servers.

Each action is idempotent on its own (running the module again after a failure part way
re-observes and plans only what is still missing). ``ApplyError`` names the action and
the server it failed on.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import poll
from ansible_collections.stateful.kube.plugins.module_utils.mysql import seed, sql
from ansible_collections.stateful.kube.plugins.module_utils.mysql.transport import MemberError, execute


class ApplyError(Exception):
    def __init__(self, action, message):
        super(ApplyError, self).__init__("%s %s: %s" % (action["action"], action["member"], message))
        self.action = action


class Context:
    """What the actions need besides the plan: transports, credentials, the label setter, the deadline."""

    def __init__(self, flavor, transport, exec_transport, members, replication_user, replication_password,
                 set_role, delete_pod, refresh, deadline, new_replication_password=None, new_root_password=None):
        self.flavor = flavor
        self.transport = transport
        self.exec_transport = exec_transport  # seeding always goes through exec
        self.members = dict((m.name, m) for m in members)
        self.replication_user = replication_user
        self.replication_password = replication_password
        self.new_replication_password = new_replication_password
        self.new_root_password = new_root_password
        self.refresh = refresh  # name -> the Member as it is now (a re-created pod has a new IP)
        self.set_role = set_role
        self.delete_pod = delete_pod
        self.deadline = deadline
        self.facts = {}

    def run(self, member, statements):
        execute(self.transport, self.members[member], statements)

    def value(self, member, query):
        rows = self.transport.query(self.members[member], [("q", query)])["q"]
        return list(rows[0].values())[0] if rows else None

    def use_root_password(self, password):
        """Go on with root's new password (connections made with the old one are dropped)."""
        for transport in set([self.transport, self.exec_transport]) - set([None]):
            transport.close()
            transport.password = password

    def replication_secret(self):
        """The replication account's password from here on (the new one once a rotation set it)."""
        return self.new_replication_password or self.replication_password

    def attach(self, name, source, gtid_slave_pos=None):
        source = self.members[source]
        self.run(name, sql.attach(self.flavor, source.host, source.port, self.replication_user,
                                  self.replication_secret(), gtid_slave_pos) + sql.writable(self.flavor, False))


def make_writable(ctx, action):
    ctx.run(action["member"], sql.writable(ctx.flavor, True))


def replication_user(ctx, action):
    ctx.run(action["member"], sql.replication_user(ctx.flavor, ctx.replication_user, ctx.replication_secret()))


def root_password(ctx, action):
    """Set root's new password on the primary; the rest of the run uses it once every server has it.

    The replicas get it by replication (the plan puts this after every attach), so each is
    asked with the new password until it accepts it: the verify step and a later run then
    find every server on the password the Secret is about to hold.
    """
    ctx.run(action["member"], sql.root_password(ctx.new_root_password))
    ctx.use_root_password(ctx.new_root_password)
    for name in sorted(ctx.members):
        _await_new_password(ctx, name)


def _await_new_password(ctx, name, interval=0.5):
    failure = []

    def accepted():
        try:
            ctx.transport.query(ctx.members[name], [("ping", "SELECT 1 AS ok")])
            return None
        except MemberError as e:
            if e.kind == "sql":
                raise
            failure[:] = [e]
            return str(e)

    if poll(accepted, ctx.deadline, interval) is not None:
        raise MemberError(name, failure[0].kind, "%s does not accept root's new password yet, at the deadline (is "
                          "it replicating from the primary?): %s" % (name, failure[0]))


def attach(ctx, action):
    ctx.attach(action["member"], action["source"], action.get("gtid_slave_pos"))
    ctx.set_role(ctx.members[action["member"]], "replica")


def seed_replica(ctx, action):
    """Copy the source into the replica's seed folder, swap it in with a new pod, attach from its position.

    MariaDB: a streamed mariadb-backup, prepared in the replica pod. MySQL: the clone
    plugin, run by the replica's server with the replication account (given BACKUP_ADMIN
    on the source first). The plan only seeds an empty replica, or one whose data the user
    allowed to replace (allow_reseed); the replaced datadir stays on the volume.
    """
    replica, source = ctx.members[action["member"]], ctx.members[action["source"]]
    if ctx.flavor == "mysql":
        ctx.run(source.name, sql.clone_donor(ctx.replication_user))
        seed.clone(ctx.exec_transport, source, replica, ctx.replication_user, ctx.replication_secret(), ctx.deadline)
        method, relayed = "clone", None
    else:
        relayed = seed.stream_backup(ctx.exec_transport, source, replica, "root", ctx.exec_transport.password,
                                     ctx.deadline)
        seed.prepare(ctx.exec_transport, replica, ctx.deadline)
        method = "mariadb-backup"
    seed.mark_ready(ctx.exec_transport, replica, action.get("replaces_data"))
    ctx.delete_pod(replica)
    fresh = ctx.refresh(replica.name)
    seed.wait_answering(ctx.transport, fresh, ctx.deadline)
    if ctx.flavor == "mysql":
        # The copy's gtid_executed (its gtid_purged: the new server has no binary logs yet);
        # the replica resumes from it by auto-position, nothing to set.
        position = ctx.value(replica.name, sql.binlog_position(ctx.flavor))
        ctx.attach(replica.name, source.name)
    else:
        position = seed.backup_position(ctx.exec_transport, fresh)
        ctx.attach(replica.name, source.name, position)
    ctx.set_role(fresh, "replica")
    ctx.facts.setdefault("seeded", []).append({"member": replica.name, "method": method, "position": position,
                                               "stream_bytes": relayed})


def label(ctx, action):
    """Move the primary role: every other server first becomes a replica, then the new primary is one."""
    members = sorted(ctx.members.values(), key=lambda m: m.name == action["member"])
    for member in members:
        role = "primary" if member.name == action["member"] else "replica"
        if member.role_label != role:
            ctx.set_role(member, role)


def switchover(ctx, action):
    old, new = action["old"], action["member"]
    lag = replica_lag(ctx, new)
    if lag is None or lag > action["max_lag"]:
        raise ApplyError(action, "%s lags %s by %s s (bound %d s): nothing was changed; wait, or raise max_lag"
                         % (new, old, "an unknown number of" if lag is None else lag, action["max_lag"]))
    ctx.run(old, sql.writable(ctx.flavor, False))
    position = ctx.value(old, sql.binlog_position(ctx.flavor))
    waited = ctx.value(new, sql.wait_for_position(ctx.flavor, position, max(5, action["max_lag"])))
    if str(waited) != "0":
        ctx.run(old, sql.writable(ctx.flavor, True))
        raise ApplyError(action, "%s did not apply %s's position %s within %d s; %s is writable again, nothing "
                                 "else changed" % (new, old, position, max(5, action["max_lag"]), old))
    ctx.run(new, sql.forget_source(ctx.flavor) + sql.writable(ctx.flavor, True))
    label(ctx, {"action": "label", "member": new})
    own = ctx.value(old, "SELECT @@gtid_current_pos") if ctx.flavor == "mariadb" else None
    ctx.attach(old, new, own)
    for other in action["others"]:
        ctx.attach(other, new)


def replica_lag(ctx, name):
    rows = ctx.transport.query(ctx.members[name], [("r", "SHOW REPLICA STATUS")])["r"]
    if not rows:
        return None
    value = rows[0].get("Seconds_Behind_Master", rows[0].get("Seconds_Behind_Source"))
    return int(value) if value not in (None, "") else None


ACTIONS = {
    "make_writable": make_writable,
    "replication_user": replication_user,
    "attach": attach,
    "seed": seed_replica,
    "label": label,
    "root_password": root_password,
    "switchover": switchover,
}


def apply(ctx, actions):
    """Run every action; ApplyError (with how many were done) on the first that fails."""
    done = 0
    for action in actions:
        try:
            ACTIONS[action["action"]](ctx, action)
        except ApplyError:
            raise
        except (MemberError, seed.SeedError) as e:
            raise ApplyError(action, str(e)) from e
        done += 1
    return done
