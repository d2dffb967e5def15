"""The execution environment's definition is one ansible-builder accepts, and an EE built
with this collection gets what its modules import. No container engine: `create` writes
the build context only, and `introspect` reads the collection's meta/execution-environment.yml
as a build would."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

from testbed import config
from testbed.testing import collections_path

BUILDER = str(Path(sys.executable).parent / "ansible-builder")


def requirement_lines(path):
    lines = Path(path).read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def runtime_requirements():
    return requirement_lines(config.REPO_ROOT / "requirements.txt")


def test_ansible_builder_create_writes_a_build_context_with_our_requirements(tmp_path):
    context = tmp_path / "context"

    completed = subprocess.run(
        [BUILDER, "create", "-f", str(config.REPO_ROOT / "execution-environment.yml"), "--context", str(context)],
        cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False,
        env=dict(os.environ, HOME=str(tmp_path)))

    assert completed.returncode == 0, completed.stdout + completed.stderr
    dockerfile = (context / "Dockerfile").read_text()
    assert "ansible-galaxy collection install" in dockerfile and "install-from-bindep" in dockerfile, dockerfile
    galaxy = yaml.safe_load((context / "_build" / "requirements.yml").read_text())
    assert {"stateful.kube", "kubernetes.core"} <= {item["name"] for item in galaxy["collections"]}
    assert requirement_lines(context / "_build" / "requirements.txt") == runtime_requirements()


def test_builder_reads_the_collections_runtime_requirements_from_its_metadata():
    completed = subprocess.run([BUILDER, "introspect", str(collections_path())],
                               capture_output=True, text=True, timeout=120, check=False)

    assert completed.returncode == 0, completed.stdout + completed.stderr
    found = yaml.safe_load(completed.stdout.split("\n", 1)[1])
    python = [line.split("#")[0].strip() for line in found["python"] if "stateful.kube" in line]
    assert python == runtime_requirements()
    assert any("ca-certificates" in line for line in found["system"])
