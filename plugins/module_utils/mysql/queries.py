# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""What the observe step asks each server, per flavor (pure: text only)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

MARIADB = [
    ("variables", "SELECT @@version AS version, @@server_id AS server_id, @@read_only AS read_only, "
                  "@@log_bin AS log_bin, @@gtid_strict_mode AS gtid_strict_mode, "
                  "@@gtid_current_pos AS gtid_current_pos, @@gtid_binlog_pos AS gtid_binlog_pos, "
                  "@@gtid_binlog_state AS gtid_binlog_state, @@gtid_slave_pos AS gtid_slave_pos"),
    ("replica", "SHOW REPLICA STATUS"),
    # Without IN, the first (oldest) binary log: its Gtid_list event is what was purged.
    ("first_binlog", "SHOW BINLOG EVENTS LIMIT 3"),
]

MYSQL = [
    ("variables", "SELECT @@version AS version, @@server_id AS server_id, @@read_only AS read_only, "
                  "@@super_read_only AS super_read_only, @@log_bin AS log_bin, @@gtid_mode AS gtid_mode, "
                  "@@gtid_executed AS gtid_executed, @@gtid_purged AS gtid_purged"),
    ("replica", "SHOW REPLICA STATUS"),
]

OBSERVE = {"mariadb": MARIADB, "mysql": MYSQL}
