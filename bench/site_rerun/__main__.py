"""python -m bench.site_rerun: a no-change re-run of playbooks/site.yml (workload redis) vs
a playbook of as many trivial module tasks (ansible.builtin.ping), in one run.

1. The first converge of site.yml on the test bed (NFS server, provisioner and
   StorageClass, a 6-pod Redis Cluster) in a namespace of its own: wall time.
2. Re-runs of site.yml that change nothing, alternating with the baseline: a generated
   playbook of the same number of tasks as a re-run executes (ok + changed + skipped, from
   its recap), each a `ping` on localhost. Medians and the ratio re-run / baseline.
3. The re-run's per-task profile (ansible.posix.profile_tasks): where the time goes.

The namespace is deleted at the end; the provisioner archives the volumes' folders.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import yaml

from testbed import config as testbed_config
from testbed.testing import collections_path

REPO = testbed_config.REPO_ROOT
SITE = REPO / "playbooks" / "site.yml"
INVENTORY = REPO / "testbed" / "playbooks" / "inventory.yml"
RECAP = re.compile(r"^localhost\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)\s+skipped=(\d+)")
PROFILE_LINE = re.compile(r"^(.+?) -{2,} (\d+\.\d+)s$")


def ansible_env(profile=False):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(collections_path()), ANSIBLE_LOCALHOST_WARNING="False",
               ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
    env["PATH"] = "%s:%s" % (Path(sys.executable).parent, env.get("PATH", ""))
    if profile:
        env.update(ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_tasks", PROFILE_TASKS_SORT_ORDER="descending",
                   PROFILE_TASKS_TASK_OUTPUT_LIMIT="all")
    return env


def run(argv, profile=False):
    started = time.monotonic()
    completed = subprocess.run(argv, env=ansible_env(profile), capture_output=True, text=True, timeout=1800)
    elapsed = time.monotonic() - started
    if completed.returncode != 0:
        sys.exit("failed: %s\n%s\n%s" % (" ".join(argv), completed.stdout[-5000:], completed.stderr[-2000:]))
    return elapsed, completed.stdout


def site(namespace, profile=False):
    return run(["ansible-playbook", "-i", str(INVENTORY), "-e", "ansible_python_interpreter=%s" % sys.executable,
                "-e", "workload=redis", "-e", "workload_namespace=%s" % namespace, str(SITE)], profile)


def recap(output):
    found = [RECAP.match(line) for line in output.splitlines()]
    ok, changed, _, failed, skipped = [int(n) for n in [m for m in found if m][-1].groups()]
    return {"ok": ok, "changed": changed, "failed": failed, "skipped": skipped, "tasks": ok + skipped + failed}


def profile(output):
    rows = [PROFILE_LINE.match(line.strip()) for line in output.splitlines()]
    return [(m.group(1).strip(), float(m.group(2))) for m in rows if m]


def baseline_playbook(tasks, folder):
    path = Path(folder) / "baseline.yml"
    path.write_text(yaml.safe_dump([{
        "name": "Trivial module tasks", "hosts": "localhost", "connection": "local", "gather_facts": False,
        "tasks": [{"name": "ping %d" % n, "ansible.builtin.ping": {}} for n in range(tasks)]}], sort_keys=False))
    return path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="re-runs and baselines, alternating")
    args = parser.parse_args()
    namespace = "bench-site-%s" % uuid.uuid4().hex[:5]
    try:
        first, output = site(namespace)
        print("first converge of site.yml (NFS + provisioner + 6-pod Redis Cluster): %.1f s, %s"
              % (first, recap(output)), flush=True)
        reruns, baselines, profiled = [], [], None
        with tempfile.TemporaryDirectory() as scratch:
            baseline = None  # the baseline playbook, made after the first re-run
            for round_ in range(args.rounds):
                order = ("site", "baseline") if round_ % 2 == 0 else ("baseline", "site")
                for which in order:
                    if which == "site":
                        elapsed, output = site(namespace, profile=True)
                        counts = recap(output)
                        if counts["changed"]:
                            print("warning: a re-run changed %d task(s)" % counts["changed"])
                        reruns.append(elapsed)
                        profiled = (counts, profile(output))
                        baseline = baseline or baseline_playbook(counts["tasks"], scratch)
                    else:  # round 0 runs site.yml first, which sizes the baseline
                        baselines.append(run(["ansible-playbook", "-i", "localhost,", "-e",
                                              "ansible_python_interpreter=%s" % sys.executable, str(baseline)])[0])
        counts, rows = profiled
        rerun, base = statistics.median(reruns), statistics.median(baselines)
        print("no-change re-run of site.yml: %d tasks (%d ok, %d skipped, %d changed), median %.1f s of %s"
              % (counts["tasks"], counts["ok"], counts["skipped"], counts["changed"], rerun,
                 ", ".join("%.1f" % r for r in reruns)))
        print("baseline, %d ping tasks: median %.1f s of %s" % (counts["tasks"], base,
                                                                ", ".join("%.1f" % b for b in baselines)))
        print("ratio re-run / baseline: %.2f" % (rerun / base))
        print("re-run profile, slowest first (profile_tasks):")
        for name, seconds in rows[:15]:
            print("  %6.2f s  %s" % (seconds, name))
        print("  %6.2f s  in the other %d tasks" % (sum(s for _, s in rows[15:]), max(len(rows) - 15, 0)))
    finally:
        subprocess.run([sys.executable, "-c", "from kubernetes import client, config; config.load_kube_config(); "
                        "client.CoreV1Api().delete_namespace(%r)" % namespace], env=ansible_env(), check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
