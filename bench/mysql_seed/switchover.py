"""Benchmark: write unavailability during a planned switchover (the module's own steps), on real mariadbd.

    .venv/bin/python -m bench.mysql_seed.switchover [--repeat 5]

Three servers with the role's settings are formed by the module's plan and apply (direct
transport). A writer (an application account, which read_only stops) inserts rows as
fast as it can, one connection per row, into whichever server carries the primary label
(as a client of the ``-primary`` Service would); the switchover to the next ordinal runs
once per repetition. Reported: the gap from the first failed write to
the first successful write on the new primary (target under 2 s), and that no
acknowledged row is missing. Ratio to a peer: none (no by-hand tool switches over).
"""

import argparse
import statistics
import threading
import time

from tests.support.mariadb_servers import ROOT_PASSWORD, Servers  # noqa: E402 - puts the collection on sys.path

# isort: split
from ansible_collections.stateful.kube.plugins.module_utils.k8s.deadline import Deadline  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql import classify  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql.apply import Context, apply  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql.observe import Member  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql.plan import Desired, plan  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql.run import observe_set  # noqa: E402
from ansible_collections.stateful.kube.plugins.module_utils.mysql.transport import DirectTransport  # noqa: E402

BASE = 7850


def module_run(servers, labels, primary=None):
    """One run of the module's steps; ``labels`` stands for the pods' role labels."""
    transport = DirectTransport("root", ROOT_PASSWORD)
    members = [Member(s.name, s.ordinal, "127.0.0.1", s.port, role_label=labels.get(s.name),
                      primary_label=labels.get(s.name) == "primary") for s in servers.servers]
    states = observe_set(transport, members, "mariadb", Deadline(30), primary)
    actions = plan(classify.classify(members, states, primary), Desired(primary=primary, max_lag=5))

    def set_role(member, role):
        labels[member.name] = role
        member.role_label = role

    apply(Context("mariadb", transport, None, members, "replication", "repl-pw", set_role, None, None,
                  Deadline(60)), actions)
    transport.close()
    return actions


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with Servers(3, BASE) as servers:
        labels = {}
        module_run(servers, labels)
        by_port = dict((s.name, s) for s in servers.servers)
        primary = by_port[[n for n, r in labels.items() if r == "primary"][0]]
        primary.query("CREATE DATABASE app")
        primary.query("CREATE TABLE app.rows (id INT PRIMARY KEY)")
        # An application's account: read_only stops it (root, with READ_ONLY ADMIN, would write on)
        primary.query("CREATE USER app@'%' IDENTIFIED BY 'app-pw'")
        primary.query("GRANT ALL ON app.* TO app@'%'")
        gaps, acknowledged, stop = [], [], threading.Event()
        events = []  # (time, ok, server)

        def writer():
            i = 0
            while not stop.is_set():
                target = by_port[[n for n, r in labels.items() if r == "primary"][0]]
                try:
                    with target.connect(user="app", password="app-pw") as conn, conn.cursor() as cursor:
                        cursor.execute("INSERT INTO app.rows VALUES (%s)", (i,))
                    acknowledged.append(i)
                    events.append((time.monotonic(), True, target.name))
                    i += 1
                except Exception:  # noqa: BLE001 - a refused write is what is measured
                    events.append((time.monotonic(), False, target.name))

        thread = threading.Thread(target=writer, daemon=True)
        thread.start()
        time.sleep(1)
        for n in range(args.repeat):
            new = (n + 1) % 3
            before = len(events)
            module_run(servers, labels, primary=new)
            time.sleep(1)
            window = events[before:]
            failed = [t for t, ok, _s in window if not ok]
            if failed:
                first_ok = [t for t, ok, s in window if ok and t > failed[0] and s == "mysql-%d" % new]
                gaps.append(first_ok[0] - failed[0])
            else:
                gaps.append(0.0)
            print("switchover to mysql-%d: writes unavailable %.3f s" % (new, gaps[-1]), flush=True)
        stop.set()
        thread.join(10)
        primary = by_port[[n for n, r in labels.items() if r == "primary"][0]]
        present = set(r["id"] for r in primary.query("SELECT id FROM app.rows"))
        lost = set(acknowledged) - present
        print("switchovers: %d, median unavailability %.3f s, max %.3f s; rows acknowledged %d, lost %d"
              % (len(gaps), statistics.median(gaps), max(gaps), len(acknowledged), len(lost)))


if __name__ == "__main__":
    main()
