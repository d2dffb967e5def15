# The project's interface: setup, test, demo, bench, testbed-up, testbed-down.
# Everything a fresh machine needs is installed by `make setup` (scripts/setup.sh).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
export PATH := $(BIN):$(PATH)
# ansible-test insists on a path ending in ansible_collections/<namespace>/<name>, and
# on that path not being inside another git work tree (it would ask the outer one which
# files exist): mirror the collection under the cache, one folder per checkout.
CACHE_DIR := $(HOME)/.cache/stateful-kube
COLLECTION_DIR := $(CACHE_DIR)/ansible-test/$(shell echo "$(CURDIR)" | sha1sum | cut -c1-12)/ansible_collections/stateful/kube
PYTHON_VERSION := 3.11
KUBECONFIG_TESTBED := $(CURDIR)/.testbed/kubeconfig
# The bed's Kubernetes: KUBE_VERSION=1.37 (default, the current release) or 1.20 (the oldest
# we claim); testbed/config.py reads it from the environment. `smoke` runs on the oldest.
OLDEST_KUBE_VERSION := 1.20
SMOKE_TESTS := testbed/tests tests/integration/statefulset_wait_ordered tests/integration/nfs \
  tests/integration/redis_cluster/test_redis_cluster_role.py::test_role_forms_three_masters_each_with_a_replica \
  tests/integration/redis_cluster/test_redis_cluster_role.py::test_second_run_changes_nothing

.PHONY: setup test smoke lint sanity units molecule integration core-range demo demo-teardown changelog bench testbed-up testbed-down \
        collection-dir build clean

setup:
	@bash scripts/setup.sh

test: setup lint sanity units core-range molecule integration

# ansible-lint finds stateful.kube where molecule does (this checkout, linked) and installs
# nothing: online, it would take collections/requirements.yml to Galaxy, which CI and a
# fresh machine cannot reach (the other collections come with the `ansible` package).
lint: setup
	@echo "== ruff"
	@ruff check --quiet .
	@echo "== ansible-lint (production profile)"
	@collections="$$(python -c 'import testbed.testing as t; print(t.collections_path())')"; \
	ANSIBLE_COLLECTIONS_PATH="$$collections" ansible-lint --profile production -q --offline

collection-dir:
	@bash scripts/collection-dir.sh "$(COLLECTION_DIR)"

sanity: setup collection-dir
	@echo "== ansible-test sanity"
	@cd "$(COLLECTION_DIR)" && ansible-test sanity --venv --python $(PYTHON_VERSION) --color no

units: setup collection-dir
	@echo "== ansible-test units"
	@cd "$(COLLECTION_DIR)" && ansible-test units --local --python $(PYTHON_VERSION) --color no

# nfs_server runs offline (its own network namespace); the Kubernetes roles' scenarios run
# against the test bed, like the integration tests.
MOLECULE_K8S_ROLES := nfs_provisioner redis_cluster mysql
# The oldest ansible-core meta/runtime.yml claims, in its own venv (the newest is .venv's).
core-range: setup collection-dir
	@bash scripts/core-range.sh "$(COLLECTION_DIR)" 2.16

molecule: setup testbed-up
	@echo "== molecule: roles/nfs_server (ganesha backend, converge, idempotence, verify)"
	@cd roles/nfs_server && molecule test
	@# The collections path is asked for here, at the top: testbed/ is not importable from a role's folder.
	@collections="$$(python -c 'import testbed.testing as t; print(t.collections_path())')"; \
	for role in $(MOLECULE_K8S_ROLES); do \
	  echo "== molecule: roles/$$role on the test bed (converge, idempotence, verify)"; \
	  (cd roles/$$role && KUBECONFIG="$(KUBECONFIG_TESTBED)" ANSIBLE_COLLECTIONS_PATH="$$collections" \
	    molecule test) || exit 1; \
	done

integration: setup testbed-up
	@echo "== integration tests on the test bed"
	@KUBECONFIG="$(KUBECONFIG_TESTBED)" python -m pytest -q -p no:cacheprovider testbed/tests tests/integration
	@echo "== make testbed-down leaves nothing behind"
	@bash testbed/tests/check_down.sh

# The smoke lane: the bed, the wait, NFS and the Redis role (converge, then changed=0) on
# the oldest Kubernetes we claim. Any other bed is taken down first, and this one after.
smoke: setup
	@$(BIN)/python -m testbed down
	@echo "== smoke lane on Kubernetes $(OLDEST_KUBE_VERSION)"
	@KUBE_VERSION=$(OLDEST_KUBE_VERSION) python -m testbed up
	@KUBE_VERSION=$(OLDEST_KUBE_VERSION) KUBECONFIG="$(KUBECONFIG_TESTBED)" \
	  python -m pytest -q -p no:cacheprovider $(SMOKE_TESTS) || { $(BIN)/python -m testbed down; exit 1; }
	@$(BIN)/python -m testbed down

testbed-up: setup
	@python -m testbed up

testbed-down:
	@$(BIN)/python -m testbed down

# The shipped playbooks/site.yml with the test bed as inventory, then a summary to act on.
WORKLOAD ?= redis
DEMO_ENV = KUBECONFIG="$(KUBECONFIG_TESTBED)" \
  ANSIBLE_COLLECTIONS_PATH="$$(python -c 'import testbed.testing as t; print(t.collections_path())')"
DEMO_ARGS = -i testbed/playbooks/inventory.yml -e ansible_python_interpreter=$(BIN)/python -e workload=$(WORKLOAD)

demo: setup testbed-up
	@$(DEMO_ENV) ansible-playbook $(DEMO_ARGS) testbed/playbooks/demo.yml

demo-teardown: setup
	@$(DEMO_ENV) ansible-playbook $(DEMO_ARGS) playbooks/teardown.yml

bench: setup testbed-up
	@KUBECONFIG="$(KUBECONFIG_TESTBED)" PYTHONPATH="$(CURDIR)" python -m bench

# CHANGELOG.rst rendered from changelogs/fragments (the fragments stay).
changelog: setup
	@bash scripts/changelog.sh

build: setup
	@ansible-galaxy collection build --force --output-path .build/dist .

clean:
	rm -rf .build tests/output
