"""Benchmark: seeding a MariaDB replica, ours vs the by-hand dump, same run, same data.

    .venv/bin/python -m bench.mysql_seed [--mib 1024]

One primary (real mariadbd on 127.0.0.1, the role's replication settings) is filled with
``--mib`` MiB of rows (1 KiB each, InnoDB). Then, for each way, a fresh server is made a
replica and the clock runs until it has caught up with the primary (MASTER_GTID_WAIT on
the primary's binlog position):

- ours: the module's own scripts (plugins/module_utils/mysql/seed.py): ``mariadb-backup
  --backup --stream=xbstream``, framed as the module frames it, into ``mbstream -x``, ``--prepare``,
  the server restarted on the copy, attached by GTID from the backup's position. Here the
  two scripts are piped on one machine; on Kubernetes the module relays the same stream
  between two exec sessions, which adds the API server's hops (not measured here).
- by hand (the seed articles and most guides): ``mariadb-dump --single-transaction
  --master-data --gtid`` piped into the replica's client (with ``sql_log_bin=0``, else the
  replica's own GTIDs conflict with the dump's position), then CHANGE MASTER + START SLAVE.

Prints both times and the ratio dump / ours.
"""

import argparse
import os
import shutil
import subprocess
import time

from ansible_collections.stateful.kube.plugins.module_utils.mysql import seed, sql  # noqa: E402

from tests.support.mariadb_servers import ROOT_PASSWORD, Servers  # noqa: E402

BASE = 7800
USER, PASSWORD = "replication", "bench-repl"


def fill(primary, mib):
    primary.query("SET GLOBAL read_only = OFF")
    for statement in sql.replication_user("mariadb", USER, PASSWORD):
        primary.query(statement)
    primary.query("CREATE DATABASE app")
    primary.query("CREATE TABLE app.rows (id BIGINT AUTO_INCREMENT PRIMARY KEY, pad VARCHAR(1000)) ENGINE=InnoDB")
    primary.query("INSERT INTO app.rows (pad) VALUES (REPEAT(MD5(RAND()), 31))")
    while primary.query("SELECT COUNT(*) AS n FROM app.rows")[0]["n"] < mib * 1024:
        primary.query("INSERT INTO app.rows (pad) SELECT REPEAT(MD5(RAND()), 31) FROM app.rows LIMIT %d"
                      % (mib * 1024))
    return primary.query("SELECT COUNT(*) AS n FROM app.rows")[0]["n"]


def caught_up(replica, primary):
    position = primary.query(sql.binlog_position("mariadb"))[0]["position"]
    assert replica.query(sql.wait_for_position("mariadb", position, 3600))[0]["waited"] == 0


def attach(replica, primary, position=None):
    for statement in sql.attach("mariadb", "127.0.0.1", primary.port, USER, PASSWORD, position):
        replica.query(statement)


def ours(servers, primary, replica):
    started = time.monotonic()
    target = os.path.join(servers.root, "seed")
    sender = subprocess.Popen(["sh", "-c", seed.BACKUP_SCRIPT, str(primary.port)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE)
    receiver = subprocess.Popen(["sh", "-c", seed.RECEIVE_SCRIPT.replace(seed.SEED_DIR, target)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    sender.stdin.write(("root\n%s\n" % ROOT_PASSWORD).encode())
    sender.stdin.close()
    while True:
        data = sender.stdout.read(seed.FRAME)
        if not data:
            break
        receiver.stdin.write(seed.frame(data))
    receiver.stdin.write(b"0\n")
    receiver.stdin.close()
    assert sender.wait() == 0 and b"STREAMED" in receiver.stdout.read() and receiver.wait() == 0
    prepared = subprocess.run(["sh", "-c", seed.PREPARE_SCRIPT.replace(seed.SEED_DIR, target)], capture_output=True,
                              text=True)
    assert "completed OK" in prepared.stdout + prepared.stderr, prepared.stdout[-500:]
    servers.stop_one(replica)
    shutil.rmtree(replica.datadir)
    os.rename(target, replica.datadir)  # what the pod's init container does
    servers.restart(replica)
    with open(os.path.join(replica.datadir, "xtrabackup_binlog_info")) as f:
        position = f.read().split("\t")[2].strip()
    attach(replica, primary, position)
    caught_up(replica, primary)
    return time.monotonic() - started


def by_hand(primary, replica):
    started = time.monotonic()
    # the same defaults file as the client (no password argument), then the by-hand options
    dump = subprocess.Popen(["mariadb-dump"] + primary.client()[1:] + ["--single-transaction", "--master-data=1",
                                                                      "--gtid", "--databases", "app"],
                            stdout=subprocess.PIPE)
    # the replica must not log the load itself (its own GTIDs would conflict with the primary's)
    load = subprocess.run(replica.client() + ["--init-command=SET SESSION sql_log_bin=0"], stdin=dump.stdout,
                          capture_output=True)
    assert dump.wait() == 0 and load.returncode == 0, load.stderr[-500:]
    for statement in ["CHANGE MASTER TO MASTER_HOST='127.0.0.1', MASTER_PORT=%d, MASTER_USER='%s', "
                      "MASTER_PASSWORD='%s', MASTER_USE_GTID=slave_pos" % (primary.port, USER, PASSWORD),
                      "START SLAVE"]:
        replica.query(statement)
    caught_up(replica, primary)
    return time.monotonic() - started


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=1024, help="MiB of rows on the primary")
    args = parser.parse_args()
    servers = Servers(3, BASE, settings={"innodb_buffer_pool_size": "256M"})
    servers.start()
    try:
        primary, mine, theirs = servers.servers
        t = time.monotonic()
        rows = fill(primary, args.mib)
        size = os.path.getsize(os.path.join(primary.datadir, "app", "rows.ibd"))
        print("primary: %d rows, %.0f MiB in app (filled in %.0f s)" % (rows, int(size) / 2 ** 20,
                                                                        time.monotonic() - t), flush=True)
        dumped = by_hand(primary, theirs)
        print("by hand (mariadb-dump | mariadb, CHANGE MASTER): %.1f s" % dumped, flush=True)
        seeded = ours(servers, primary, mine)
        print("ours (mariadb-backup stream, prepare, restart, attach): %.1f s" % seeded, flush=True)
        print("ratio by hand / ours: %.2f" % (dumped / seeded))
    finally:
        servers.stop()


if __name__ == "__main__":
    main()
