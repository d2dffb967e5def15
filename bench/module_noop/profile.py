"""Where one module process spends its time, ours beside kubernetes.core.k8s_info.

The module process is run from the AnsiballZ payload Ansible built for it (kept with
ANSIBLE_KEEP_REMOTE_FILES), exactly as Ansible runs it: the payload unzips its modules
and imports them from the zip (no cached bytecode), parses the arguments, builds the
client, does its work and prints its result.
"""

import base64
import io
import json
import pstats
import re
import resource
import statistics
import subprocess
import sys
import time
import uuid
import zipfile

# Import time by where the code comes from (first match wins).
IMPORT_GROUPS = (
    ("stateful.kube", "ansible_collections.stateful."),
    ("kubernetes.core", "ansible_collections.kubernetes."),
    ("ansible (module_utils)", "ansible."),
    ("kubernetes (library)", "kubernetes"),
    ("urllib3, requests, oauthlib", ("urllib3", "requests", "oauthlib", "requests_oauthlib", "certifi", "idna",
                                     "charset_normalizer")),
    ("yaml", "yaml"),
    ("google.auth, websocket, dateutil", ("google", "websocket", "dateutil", "six", "durationpy")),
    ("redis", "redis"),
)
# Calls whose cumulative time is shown: (label, file suffix, function name).
CALLS = (
    ("argument spec and AnsibleModule", "module_utils/basic.py", "__init__"),
    ("client: kubernetes.core get_api_client", "core/plugins/module_utils/k8s/client.py", "get_api_client"),
    ("  of it: kubeconfig loaded", "core/plugins/module_utils/k8s/client.py", "_create_configuration"),
    ("  of it: dynamic client and discovery", "core/plugins/module_utils/k8s/client.py", "create_api_client"),
    ("discovery: resource lookup (k8s_info)", "core/plugins/module_utils/k8s/client.py", "resource"),
    ("client: ours (Clients: kubernetes.core's + typed APIs)", "stateful/kube/plugins/module_utils/k8s/client.py",
     "__init__"),
    ("result printed (exit_json)", "module_utils/basic.py", "exit_json"),
)
PROFILER = """
import cProfile, runpy, sys
payload, out = sys.argv[1], {out!r}
sys.argv = [payload]
profiler = cProfile.Profile()
profiler.enable()
try:
    runpy.run_path(payload, run_name="__main__")
except SystemExit:
    pass
finally:
    profiler.disable()
    profiler.dump_stats(out)
"""


def keep_payload(module, args, env, folder):
    """Run the module once ad hoc and return the AnsiballZ payload Ansible left behind."""
    remote = folder / uuid.uuid4().hex[:8]
    kept = dict(env, ANSIBLE_KEEP_REMOTE_FILES="1", ANSIBLE_REMOTE_TMP=str(remote))
    subprocess.run(["ansible", "localhost", "-i", "localhost,", "-c", "local", "-m", module, "-a", json.dumps(args)],
                   env=kept, capture_output=True, text=True, timeout=300, check=True)
    return next(remote.rglob("AnsiballZ_*.py"))


def payload_contents(payload):
    """(payload bytes, number of .py files in its zip, their bytes, bytes of this collection's)."""
    source = payload.read_text()
    zipped = re.search(r"^zip_data='([A-Za-z0-9+/=]+)'", source, re.MULTILINE)
    files = zipfile.ZipFile(io.BytesIO(base64.b64decode(zipped.group(1)))).infolist()
    python = [f for f in files if f.filename.endswith(".py")]
    ours = sum(f.file_size for f in python if f.filename.startswith("ansible_collections/stateful/"))
    return len(source), len(python), sum(f.file_size for f in python), ours


def run_alone(payload, env, runs):
    """Median wall and CPU seconds of the module process alone (python AnsiballZ_x.py)."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        done = subprocess.run([sys.executable, str(payload)], env=env, capture_output=True, text=True, timeout=300,
                              check=False)
        walls.append(time.monotonic() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if json.loads(done.stdout).get("failed"):
            raise RuntimeError("%s failed when run alone: %s" % (payload.name, done.stdout[-1000:]))
    return statistics.median(walls), statistics.median(cpus)


def import_times(payload, env, runs):
    """``{group: seconds}`` (median over runs) of the module's imports, by IMPORT_GROUPS, plus "total"."""
    samples = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-X", "importtime", str(payload)], env=env, capture_output=True,
                              text=True, timeout=300, check=False)
        groups = {"total": 0.0}
        for line in done.stderr.splitlines():
            found = re.match(r"import time:\s+(\d+) \|\s+\d+ \|( *)(\S+)", line)
            if not found:
                continue
            seconds, name = int(found.group(1)) / 1e6, found.group(3)
            groups["total"] += seconds
            group = next((label for label, prefixes in IMPORT_GROUPS if name.startswith(prefixes)), "other")
            groups[group] = groups.get(group, 0.0) + seconds
        samples.append(groups)
    return {key: statistics.median(s.get(key, 0.0) for s in samples) for key in samples[0]}


def call_times(payload, env, folder, module_file):
    """``{label: cumulative seconds}`` for CALLS and the module's main(), from one cProfile run."""
    out = folder / (payload.stem + ".prof")
    subprocess.run([sys.executable, "-c", PROFILER.format(out=str(out)), str(payload)], env=env, capture_output=True,
                   text=True, timeout=300, check=False)
    stats = pstats.Stats(str(out)).stats
    found = {}
    for label, suffix, name in CALLS + (("module main() (all of the above but imports)", module_file, "main"),):
        times = [ct for (path, _, function), (_, _, _, ct, _) in stats.items()
                 if function == name and path.endswith(suffix)]
        if times:
            found[label] = max(times)
    return found


def compare(label, ours, peer, env, folder, runs):
    """Print payload, process, imports and calls of ``ours`` and ``peer`` ((module, args) each) side by side."""
    rows = {}
    for tool, (module, args) in (("ours", ours), ("k8s_info", peer)):
        payload = keep_payload(module, args, env, folder)
        module_file = "plugins/modules/%s.py" % module.rsplit(".", 1)[1]
        rows[tool] = {
            "payload": payload_contents(payload),
            "alone": run_alone(payload, env, runs),
            "imports": import_times(payload, env, runs),
            "calls": call_times(payload, env, folder, module_file),
        }
    print("-- %s (ours) | kubernetes.core.k8s_info   (calls: cumulative under cProfile, inflated)" % label)
    (size, files, source, mine), (psize, pfiles, psource, _) = rows["ours"]["payload"], rows["k8s_info"]["payload"]
    print("   payload            %7d B, %3d .py files, %7d B of source (this collection's: %d B) | %7d B, %3d files, "
          "%7d B" % (size, files, source, mine, psize, pfiles, psource))
    print("   process alone      wall %.3f s, CPU %.3f s | wall %.3f s, CPU %.3f s"
          % (rows["ours"]["alone"] + rows["k8s_info"]["alone"]))
    groups = sorted(set(rows["ours"]["imports"]) | set(rows["k8s_info"]["imports"]),
                    key=lambda g: -rows["ours"]["imports"].get(g, 0.0))
    for group in groups:
        print("   import %-28s %.3f s | %.3f s" % (group, rows["ours"]["imports"].get(group, 0.0),
                                                   rows["k8s_info"]["imports"].get(group, 0.0)))
    labels = [c[0] for c in CALLS] + ["module main() (all of the above but imports)"]
    for call in labels:
        ours_time, peer_time = rows["ours"]["calls"].get(call), rows["k8s_info"]["calls"].get(call)
        if ours_time is None and peer_time is None:
            continue
        print("   call %-55s %s | %s"
              % (call, "-" if ours_time is None else "%.3f s" % ours_time,
                 "-" if peer_time is None else "%.3f s" % peer_time))
    sys.stdout.flush()
