# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The statements the apply step sends, per flavor (pure: text only).

Passwords travel inside these statements, over the client protocol or on the client's
stdin: never on a command line. Nothing here drops data or forgets a replica's
configuration for good (no RESET MASTER, no RESET SLAVE ALL): a promoted replica gets
``RESET SLAVE`` (its relay logs and the saved connection go; its data and GTID position
stay), so that a restart does not make it replicate from its own replica.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MARKER_SCHEMA = "stateful_kube"
MARKER_TABLE = "stateful_kube.replication_check"


def quote(text):
    """A SQL string literal (both servers, default sql_mode)."""
    return "'" + str(text).replace("\\", "\\\\").replace("'", "\\'") + "'"


def identifier(text):
    return "`" + str(text).replace("`", "``") + "`"


def replication_user(flavor, user, password):
    """Create (or bring the password of) the replication user on the primary; replicated to all."""
    account = "%s@'%%'" % quote(user)
    statements = ["CREATE USER IF NOT EXISTS %s IDENTIFIED BY %s" % (account, quote(password)),
                  "ALTER USER %s IDENTIFIED BY %s" % (account, quote(password))]
    if flavor == "mariadb":
        statements.append("GRANT REPLICATION SLAVE, REPLICATION SLAVE ADMIN, BINLOG MONITOR ON *.* TO %s" % account)
    else:
        statements.append("GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO %s" % account)
        statements += clone_donor(user)
    return statements


def clone_donor(user):
    """On the primary (MySQL): let the replication account be the account a replica clones it with.

    CLONE INSTANCE connects to the donor with an account that has BACKUP_ADMIN. The
    replication account gets it rather than a second account: with REPLICATION SLAVE it
    already reads every change the primary logs, so BACKUP_ADMIN (a copy of the same data,
    and LOCK INSTANCE FOR BACKUP, which only holds DDL back) gives it little more; a second
    account would be one more password to store, rotate and keep in step. Granted again
    before each seed, for a set formed before the grant was part of the account.
    """
    return ["GRANT BACKUP_ADMIN ON *.* TO %s@'%%'" % quote(user)]


def clone(host, port, user, password, directory):
    """On a replica (MySQL): copy ``host:port`` into ``directory`` with the clone plugin.

    The donor must be in ``clone_valid_donor_list`` first (a global, for this one copy: it
    is not persisted, and the restart that follows forgets it). ``DATA DIRECTORY`` leaves
    the replica's own datadir as it is (the pod's init container swaps the copy in, as for
    a MariaDB seed, and keeps what it replaces); without it the server would empty its own
    datadir first, then restart, which without a supervisor (a container) is a shutdown
    under the very session that sent CLONE.
    ``REQUIRE SSL``: the password and the data do not cross the network in clear (both
    servers have the certificates MySQL makes at initialization).
    """
    return ["SET GLOBAL clone_valid_donor_list = %s" % quote("%s:%d" % (host, int(port))),
            "CLONE INSTANCE FROM %s@%s:%d IDENTIFIED BY %s DATA DIRECTORY = %s REQUIRE SSL"
            % (quote(user), quote(host), int(port), quote(password), quote(directory))]


def root_password(password):
    """Rotate root's password on every host it is defined for (replicated from the primary)."""
    return ["ALTER USER IF EXISTS 'root'@'%%' IDENTIFIED BY %s" % quote(password),
            "ALTER USER IF EXISTS 'root'@'localhost' IDENTIFIED BY %s" % quote(password)]


def writable(flavor, on):
    """Make a server take writes (the primary) or refuse them (every replica)."""
    if flavor == "mysql":
        if on:
            return ["SET GLOBAL super_read_only = OFF", "SET GLOBAL read_only = OFF"]
        return ["SET GLOBAL read_only = ON", "SET GLOBAL super_read_only = ON"]
    return ["SET GLOBAL read_only = %s" % ("OFF" if on else "ON")]


def stop_replica(flavor):
    return ["STOP REPLICA" if flavor == "mysql" else "STOP SLAVE"]


def start_replica(flavor):
    return ["START REPLICA" if flavor == "mysql" else "START SLAVE"]


def forget_source(flavor):
    """On a promoted replica: stop, and drop relay logs and the saved connection (not ALL)."""
    return stop_replica(flavor) + ["RESET REPLICA" if flavor == "mysql" else "RESET SLAVE"]


def attach(flavor, host, port, user, password, gtid_slave_pos=None):
    """Point a replica at ``host:port`` by GTID and start it.

    ``gtid_slave_pos`` (MariaDB) first sets where to resume: a seeded replica's backup
    position, or a demoted primary's own ``gtid_current_pos`` (what it wrote itself is
    not in its slave position).
    """
    statements = stop_replica(flavor)
    if flavor == "mysql":
        statements.append(
            "CHANGE REPLICATION SOURCE TO SOURCE_HOST=%s, SOURCE_PORT=%d, SOURCE_USER=%s, SOURCE_PASSWORD=%s, "
            "SOURCE_AUTO_POSITION=1, SOURCE_SSL=1, GET_SOURCE_PUBLIC_KEY=1, SOURCE_CONNECT_RETRY=5"
            % (quote(host), int(port), quote(user), quote(password)))
    else:
        if gtid_slave_pos is not None:
            statements.append("SET GLOBAL gtid_slave_pos = %s" % quote(gtid_slave_pos))
        statements.append(
            "CHANGE MASTER TO MASTER_HOST=%s, MASTER_PORT=%d, MASTER_USER=%s, MASTER_PASSWORD=%s, "
            "MASTER_USE_GTID=slave_pos, MASTER_CONNECT_RETRY=5"
            % (quote(host), int(port), quote(user), quote(password)))
    return statements + start_replica(flavor)


def binlog_position(flavor):
    """The query whose single value is the position a replica must reach to have everything."""
    if flavor == "mysql":
        return "SELECT @@gtid_executed AS position"
    return "SELECT @@gtid_binlog_pos AS position"


def wait_for_position(flavor, position, timeout):
    """A query returning 0 when this replica has applied ``position`` within ``timeout`` s, else -1/1."""
    if flavor == "mysql":
        return "SELECT WAIT_FOR_EXECUTED_GTID_SET(%s, %d) AS waited" % (quote(position), int(timeout))
    return "SELECT MASTER_GTID_WAIT(%s, %d) AS waited" % (quote(position), int(timeout))


def marker_write(token):
    """On the primary: write one row the verify step then reads back on every replica."""
    return ["CREATE DATABASE IF NOT EXISTS %s" % MARKER_SCHEMA,
            "CREATE TABLE IF NOT EXISTS %s (token VARCHAR(64) PRIMARY KEY, written_at TIMESTAMP(6) NOT NULL "
            "DEFAULT CURRENT_TIMESTAMP(6)) ENGINE=InnoDB" % MARKER_TABLE,
            "INSERT INTO %s (token) VALUES (%s)" % (MARKER_TABLE, quote(token))]


def marker_read(token):
    return "SELECT COUNT(*) AS found FROM %s WHERE token = %s" % (MARKER_TABLE, quote(token))
