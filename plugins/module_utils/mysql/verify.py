# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Prove the replication works: every replica's threads run, its lag is under the bound, and
a marker row written on the primary is read back on every replica.

The marker table (``stateful_kube.replication_check``) is the module's own; it keeps the
last markers only. Writing it is a check, not a change of the replication: it does not make
``changed`` true.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time
import uuid

from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import poll
from ansible_collections.stateful.kube.plugins.module_utils.mysql import sql
from ansible_collections.stateful.kube.plugins.module_utils.mysql.observe import Replication
from ansible_collections.stateful.kube.plugins.module_utils.mysql.transport import MemberError, execute

KEEP_MARKERS = "DELETE FROM %s WHERE written_at < NOW() - INTERVAL 1 DAY" % sql.MARKER_TABLE


class VerifyError(Exception):
    def __init__(self, member, message):
        super(VerifyError, self).__init__(message)
        self.member = member


def verify(transport, primary, replicas, max_lag, deadline, interval=0.5):
    """``{replica name: seconds until the marker arrived}``; VerifyError naming the first replica that fails."""
    token = uuid.uuid4().hex
    execute(transport, primary, sql.marker_write(token) + [KEEP_MARKERS])
    written = time.monotonic()
    arrived = {}
    for replica in replicas:
        status = _await_marker(transport, replica, token, max_lag, deadline, interval)
        if status is not True:
            raise VerifyError(replica.name, "%s %s" % (replica.name, _why(status, primary, max_lag)))
        arrived[replica.name] = round(time.monotonic() - written, 3)
    return arrived


def _await_marker(transport, replica, token, max_lag, deadline, interval):
    """True once ``replica`` runs, lags under the bound and has the marker; else its last status."""
    seen = [None]

    def marker_read():
        asked = [("replica", "SHOW REPLICA STATUS")]
        if _has_table(transport, replica):
            asked.append(("marker", sql.marker_read(token)))
        rows = transport.query(replica, asked)
        status = seen[0] = Replication(rows["replica"][0]) if rows.get("replica") else None
        found = bool(rows.get("marker")) and rows["marker"][0]["found"] == "1"
        return None if found and status and status.running and (status.lag or 0) <= max_lag else "waiting"

    return True if poll(marker_read, deadline, interval) is None else seen[0]


def _why(status, primary, max_lag):
    if status is None:
        return "replicates from nobody"
    if not status.running or status.last_error:
        return "IO thread %s, SQL thread %s; %s" % (
            status.io_running, status.sql_running, status.last_error or "no error recorded")
    if (status.lag or 0) > max_lag:
        return "lags %d s (bound %d s)" % (status.lag, max_lag)
    return "has not applied the marker row written on %s" % primary.name


def _has_table(transport, replica):
    try:
        rows = transport.query(replica, [("t", "SELECT COUNT(*) AS n FROM information_schema.tables WHERE "
                                               "table_schema = '%s' AND table_name = 'replication_check'"
                                          % sql.MARKER_SCHEMA)])
    except MemberError:
        return False
    return rows["t"][0]["n"] == "1"
