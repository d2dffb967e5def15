#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stateful.kube contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: mysql_replication_bootstrap
short_description: Form, seed, heal, switch over and verify GTID replication on a MariaDB/MySQL StatefulSet
version_added: 0.1.0
description:
  - Reads every server (version, server_id, C(read_only), GTID position and history, the oldest binary log's
    C(Gtid_list) i.e. what was purged, replica status) and names the state of the set - C(empty), C(complete),
    C(scale_up), C(replica_broken), C(primary_moved), or C(diverged) (a replica holding transactions the primary
    lacks) / C(foreign) (a server replicating from outside the set), which are refused with nothing changed
    (a diverged replica is re-seeded instead with I(allow_reseed=true)).
  - Plans with a pure function, and runs the plan unless in check mode; the plan is returned, and shown with
    C(--diff).
  - A replica whose GTID position the primary's binary logs still reach is attached by GTID; otherwise it is
    seeded with a copy of the primary in its volume, swapped in by the pod's init container, then attached from
    the copy's GTID position. C(mariadb) - a C(mariadb-backup) of the primary streamed through two exec sessions
    (the module relays them). C(mysql) - the replica's server clones the primary with the clone plugin
    (C(CLONE INSTANCE ... DATA DIRECTORY)) as the replication account, which is granted C(BACKUP_ADMIN).
    A replica that holds data is only replaced with I(allow_reseed=true); its old datadir is kept on the volume.
  - I(primary) different from today's primary is a planned switchover - refused when that replica lags more than
    I(max_lag) - which fences the old primary, waits until the new one applied everything, promotes it, moves the
    C(stateful.kube/mysql-role=primary) label (the role's C(-primary) Service follows it) and repoints the others.
  - Verify - every replica's threads running, lag under I(max_lag), and a marker row written on the primary read
    back on every replica - names the replica that fails and its last error.
  - It never runs C(RESET MASTER) or C(RESET SLAVE ALL) and never drops a replica's data without I(allow_reseed).
  - MariaDB's C(read_only), the switchover's fence, does not stop accounts with C(READ_ONLY ADMIN) (root has it),
    so applications must write with their own account.
author:
  - stateful.kube contributors (@stateful-kube)
extends_documentation_fragment:
  - kubernetes.core.k8s_auth_options
attributes:
  check_mode:
    support: full
    description: Reads, classifies and plans; the plan is returned and nothing is changed.
  diff_mode:
    support: full
    description: The diff shows the state found and the plan.
options:
  name:
    description: Name of the StatefulSet whose pods are the servers (and of its headless Service).
    type: str
    required: true
  namespace:
    description: Namespace of the StatefulSet.
    type: str
    required: true
  flavor:
    description: C(mariadb) (10.11, 11.x) or C(mysql) (8.4).
    type: str
    choices: [mariadb, mysql]
    default: mariadb
  port:
    description: The port the servers listen on.
    type: int
    default: 3306
  container:
    description: The container that runs the server (exec transport); default the flavor's name.
    type: str
  transport:
    description:
      - C(exec) runs the server's own client inside each pod through the API server (the password on stdin, into
        a mode-600 defaults file; never on a command line). C(direct) connects with PyMySQL to the pod IPs, for
        runs inside the cluster's network. Seeding always goes through exec.
    type: str
    choices: [exec, direct]
    default: exec
  root_password:
    description: The servers' root password; default the C(root-password) key of I(credentials_secret).
    type: str
  replication_user:
    description: The account replicas connect with (created on the primary of a fresh set).
    type: str
    default: replication
  replication_password:
    description: Its password; default the C(replication-password) key of I(credentials_secret).
    type: str
  credentials_secret:
    description: The Secret holding C(root-password) and C(replication-password); default I(name).
    type: str
  new_root_password:
    description:
      - Rotate root's password to this (on the primary, replicated to every server), after every replica is
        attached; the module waits until each server accepts it and goes on (verify) with it.
      - Servers that already refuse I(root_password) but accept this one are read with it (a rotation that stopped
        part way is finished).
    type: str
  new_replication_password:
    description: Rotate the replication password to this, and repoint every replica with it.
    type: str
  primary:
    description:
      - The ordinal that should be the primary. Unset, the current primary stays (on a fresh set the lowest
        ordinal, or the pod labelled primary). A different ordinal is a planned switchover.
    type: int
  max_lag:
    description: Seconds a replica may lag; a switchover to a replica further behind is refused, verify fails.
    type: int
    default: 30
  allow_reseed:
    description: Allow replacing the data of a replica that must be seeded (behind the primary's purged logs, or
      failing on the primary's changes) or that diverged (holds transactions the primary lacks). Its datadir is
      moved aside on its volume, not deleted.
    type: bool
    default: false
  verify:
    description: After the plan, check threads and lag, and read a marker row written on the primary on every replica.
    type: bool
    default: true
  timeout:
    description: Seconds the whole run may take.
    type: int
    default: 600
  call_timeout:
    description: Seconds one round trip to a server may take.
    type: int
    default: 30
requirements:
  - kubernetes >= 24.2.0
  - kubernetes.core >= 5.0.0
  - PyMySQL (for I(transport=direct))
notes:
  - The pods must have been made by the C(stateful.kube.mysql) role (or follow its layout) for seeding - the whole
    volume at C(/var/lib/mysql-volume), the datadir its C(mysql) folder, and the init container that swaps a seed in;
    for C(mysql), the clone plugin loaded on every server.
  - Seeding a C(mysql) replica is unit-tested only (no MySQL server on the project's test bed).
seealso:
  - module: stateful.kube.statefulset_wait_ordered
"""

EXAMPLES = r"""
- name: Form and verify replication on the pods of StatefulSet mysql
  stateful.kube.mysql_replication_bootstrap:
    name: mysql
    namespace: data

- name: Switch over to ordinal 1
  stateful.kube.mysql_replication_bootstrap:
    name: mysql
    namespace: data
    primary: 1
    max_lag: 5
"""

RETURN = r"""
state:
  description: The state found (C(empty), C(complete), C(scale_up), C(replica_broken), C(primary_moved)).
  returned: success
  type: str
  sample: scale_up
primary:
  description: The primary after the run (before it in check mode).
  returned: success
  type: str
  sample: mysql-0
plan:
  description: The actions planned (and, unless in check mode, carried out), in order.
  returned: success
  type: list
  elements: dict
  sample: [{"action": "seed", "member": "mysql-3", "source": "mysql-0", "replaces_data": false,
            "why": "its position (empty) is older than what the primary mysql-0 still has in its binary logs"}]
topology:
  description: Each server as observed, in ordinal order, with its verdict.
  returned: success
  type: list
  elements: dict
seeded:
  description: The replicas seeded, in the order they were seeded.
  returned: when a replica was seeded
  type: list
  elements: dict
  contains:
    member:
      description: The replica seeded.
      type: str
      sample: mysql-3
    method:
      description: How it was copied - C(mariadb-backup) (streamed) or C(clone) (the MySQL clone plugin).
      type: str
      sample: clone
    position:
      description: The GTID position of the copy, which the replica was attached from.
      type: str
      sample: 3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5120
    stream_bytes:
      description: The bytes the module relayed (C(mariadb-backup)); null for C(clone), whose copy goes from server
        to server.
      type: int
      sample: 1288490188
marker_seconds:
  description: Seconds between writing the marker row on the primary and reading it on each replica.
  returned: when verify ran
  type: dict
timings:
  description: Seconds per phase (observe, apply, verify, total).
  returned: success, unless in check mode
  type: dict
"""

from ansible_collections.stateful.kube.plugins.module_utils.k8s.client import new_module  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.k8s.runner import run  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql import run as bootstrap  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql.options import check_options  # noqa: E402

MODULE_OPTIONS = dict(
    name=dict(type="str", required=True),
    namespace=dict(type="str", required=True),
    flavor=dict(type="str", choices=["mariadb", "mysql"], default="mariadb"),
    port=dict(type="int", default=3306),
    container=dict(type="str"),
    transport=dict(type="str", choices=["exec", "direct"], default="exec"),
    root_password=dict(type="str", no_log=True),
    replication_user=dict(type="str", default="replication"),
    replication_password=dict(type="str", no_log=True),
    credentials_secret=dict(type="str", no_log=False),
    new_root_password=dict(type="str", no_log=True),
    new_replication_password=dict(type="str", no_log=True),
    primary=dict(type="int"),
    max_lag=dict(type="int", default=30),
    allow_reseed=dict(type="bool", default=False),
    verify=dict(type="bool", default=True),
    timeout=dict(type="int", default=600),
    call_timeout=dict(type="int", default=30),
)


def main():
    module = new_module(MODULE_OPTIONS, supports_check_mode=True)
    run(module, bootstrap.run, check_options)


if __name__ == "__main__":
    main()
