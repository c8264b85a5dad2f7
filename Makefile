# osfleet.day2 -- developer and CI entry points. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

REPO       := $(abspath .)
VENV       := $(REPO)/.venv
PY         := $(VENV)/bin/python
CACHE      := $(REPO)/.cache
# ansible needs the collection under ansible_collections/<ns>/<name>: a symlink
# is enough for pytest, ansible-doc, ansible-lint and playbooks ...
COLL_ROOT  := $(CACHE)/collections
COLL_LINK  := $(COLL_ROOT)/ansible_collections/osfleet/day2
# ... but ansible-test wants a real directory: a copy of the work tree.
SANITY_TREE := $(CACHE)/sanity/ansible_collections/osfleet/day2
LABCTL     := python3 $(REPO)/lab/labctl
export ANSIBLE_COLLECTIONS_PATH := $(COLL_ROOT)
export ANSIBLE_LOCAL_TEMP := $(CACHE)/ansible-tmp
export OSFLEET_LAB_DIR ?= $(REPO)/.lab
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PATH := $(VENV)/bin:$(PATH)
export OS_CLIENT_CONFIG_FILE ?= $(OSFLEET_LAB_DIR)/clouds.yaml

BENCH_VENV := $(REPO)/.venv-bench
BENCH_SERVERS ?= 100 1000
BENCH_BMCS ?= 200
BENCH_WAN_DELAY_MS ?= 40

.PHONY: bench bench-inventory bench-hardware bench-drain bench-wan bench-venv
.PHONY: lab-smoke lab-hosts-smoke eda-deps
.PHONY: help venv unit sanity lint integration molecule test build docs demo demo-audit demo-remediation test-deps \
        lab-up lab-down lab-status lab-reset clean collection-link

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 16

# A .venv that is a symlink is someone else's venv (a git worktree sharing the main checkout's): `venv --clear`
# through it would empty that venv for everyone using it, so it is refused, with what to do instead.
$(VENV)/.stamp: requirements.txt requirements-dev.txt tools/find-python
	@if [ -L $(VENV) ]; then echo "[venv] $(VENV) is a symlink to $$(readlink -f $(VENV)): not clearing a shared venv;" \
	  "rebuild it where it lives (make venv there) or touch $(VENV)/.stamp if it is current" >&2; exit 1; fi
	@PYTHON="$${PYTHON:-$$(tools/find-python)}" || exit 1; \
	echo "[venv] toolchain on $$PYTHON"; \
	"$$PYTHON" -m venv --clear $(VENV) && \
	$(PY) -m pip install -q --upgrade pip==25.2 && \
	$(PY) -m pip install -q -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.stamp  ## create .venv with the pinned toolchain (Python >= 3.12)

collection-link:
	@mkdir -p $(dir $(COLL_LINK)) $(CACHE)/ansible-tmp
	@[ -L $(COLL_LINK) ] || ln -sfn $(REPO) $(COLL_LINK)

# Debian packages some unit tests need (bindep.txt, profile test): promtool checks compliance.prom,
# headless Chromium opens compliance.html (fonts-liberation gives it fonts). Only missing ones are installed.
TEST_DEBS := prometheus:promtool chromium:chromium fonts-liberation:
test-deps:  ## system packages some unit tests need: promtool (prometheus), headless Chromium, fonts
	@missing=""; for d in $(TEST_DEBS); do pkg=$${d%%:*}; exe=$${d#*:}; \
	  if [ -n "$$exe" ]; then command -v "$$exe" >/dev/null && continue; \
	  else dpkg -s "$$pkg" >/dev/null 2>&1 && continue; fi; missing="$$missing $$pkg"; done; \
	if [ -n "$$missing" ]; then \
	  sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); echo "[test-deps] apt-get install$$missing"; \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing || \
	  { $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends $$missing; }; \
	fi

# Event-Driven Ansible runtime: ansible-rulebook and its drools_jpy rule engine in their own venv
# (requirements-eda.txt), and the Java >= 17 runtime drools_jpy loads: Debian 12's openjdk-17-jre-headless,
# else openjdk-21-jre-headless (Debian 13's default; untested), the first one apt knows, and only when no
# `java` >= 17 is on PATH. Not part of `make test` yet (docs/eda.md).
EDA_VENV := $(OSFLEET_LAB_DIR)/venv-eda
EDA_JRES := openjdk-17-jre-headless openjdk-21-jre-headless
$(EDA_VENV)/.stamp: requirements.txt requirements-eda.txt tools/find-python
	@PYTHON="$${PYTHON:-$$(tools/find-python)}" || exit 1; \
	echo "[eda-deps] ansible-rulebook venv $(EDA_VENV) on $$PYTHON"; \
	"$$PYTHON" -m venv --clear $(EDA_VENV) && \
	$(EDA_VENV)/bin/python -m pip install -q --upgrade pip==25.2 && \
	$(EDA_VENV)/bin/python -m pip install -q -r requirements-eda.txt
	@touch $@

eda-deps: $(EDA_VENV)/.stamp  ## ansible-rulebook in .lab/venv-eda and a Java >= 17 runtime (apt-get only if missing)
	@major=$$(java -version 2>&1 | sed -nE '1s/.*version "([0-9]+)[^"]*".*/\1/p'); \
	if [ -n "$$major" ] && [ "$$major" -ge 17 ]; then echo "[eda-deps] java $$major"; exit 0; fi; \
	sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	pick() { for p in $(EDA_JRES); do \
	  apt-cache policy "$$p" 2>/dev/null | grep -q 'Candidate: [0-9]' && { echo "$$p"; return 0; }; done; return 1; }; \
	pkg=$$(pick) || { $$sudo apt-get update -q >/dev/null && pkg=$$(pick); } || \
	  { echo "[eda-deps] no Java >= 17 runtime package ($(EDA_JRES)) in apt's lists" >&2; exit 1; }; \
	echo "[eda-deps] java $${major:-missing}: apt-get install $$pkg"; \
	DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends "$$pkg" || \
	  { $$sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -q --no-install-recommends "$$pkg"; }
	@out=$$($(EDA_VENV)/bin/ansible-rulebook --version 2>&1) || { echo "$$out" >&2; echo "[eda-deps] ansible-rulebook cannot start (Java?)" >&2; exit 1; }; \
	echo "$$out" | head -3

unit: venv collection-link test-deps eda-deps  ## pytest unit tests of the core and the modules
	cd $(COLL_LINK) && PYTHONPATH=$(COLL_ROOT) $(PY) -m pytest -q -p no:cacheprovider tests/unit

sanity: venv  ## ansible-test sanity on a copy of the work tree
	@rm -rf $(SANITY_TREE) && mkdir -p $(SANITY_TREE)
	@git ls-files -co --exclude-standard -z -- . ":!lab" ":!.ci" ":!benchmarks" | xargs -0 -I{} cp --parents {} $(SANITY_TREE)/ 2>/dev/null; \
	 cd $(SANITY_TREE) && git init -q && git add -A >/dev/null
	@install -D -m 0644 tools/get_pip_offline.py $(HOME)/.ansible/test/cache/get_pip_25_2.py
	cd $(SANITY_TREE) && PATH="$(dir $(shell readlink -f $(PY))):$$PATH" \
	  $(VENV)/bin/ansible-test sanity --venv --python 3.12 --color no $(SANITY_ARGS)

lint: venv collection-link  ## ansible-lint, production profile
	cd $(COLL_LINK) && $(VENV)/bin/ansible-lint --offline

docs: venv collection-link  ## render every plugin's documentation with ansible-doc
	@set -e; for t in module inventory filter; do \
	  for p in $$($(VENV)/bin/ansible-doc -t $$t -l osfleet.day2 2>/dev/null | awk '{print $$1}'); do \
	    $(VENV)/bin/ansible-doc -t $$t $$p > /dev/null && echo "[docs] $$t $$p renders"; \
	  done; done
	$(VENV)/bin/antsibull-changelog lint

build: venv  ## build dist/osfleet-day2-<version>.tar.gz
	@mkdir -p dist
	$(VENV)/bin/ansible-galaxy collection build --force --output-path dist .

lab-up:  ## bring the lab up (installs on first use; idempotent)
	$(LABCTL) up
lab-down:  ## stop everything the lab started
	$(LABCTL) down
lab-status:  ## health of every lab service
	$(LABCTL) status
lab-reset:  ## wipe the lab's state and bring it up fresh
	$(LABCTL) reset

lab-smoke: lab-up  ## the lab's own smoke tests: every part of the lab answers as it should
	.lab/venv/bin/python -m pytest -q -p no:cacheprovider lab/tests/test_openstack_smoke.py
	.lab/venv-bmc/bin/python -m pytest -q -p no:cacheprovider lab/tests/test_redfish_app.py lab/tests/test_bmc_smoke.py lab/tests/test_legacy_smoke.py
	.lab/venv-bmc/bin/python -m pytest -q -p no:cacheprovider lab/tests/test_redfish_settings.py  # own process: see its docstring

lab-hosts-smoke: venv  ## the package hosts (labctl hosts up; needs root, not the rest of the lab): upgrade and downgrade
	$(VENV)/bin/python -m pytest -q -p no:cacheprovider lab/tests/test_hosts_smoke.py

integration: venv collection-link eda-deps lab-up  ## integration tests against the lab (the alert pipeline's with real ansible-rulebook)
	cd $(COLL_LINK) && PYTHONPATH=$(COLL_ROOT) $(PY) -m pytest -q -p no:cacheprovider --durations=25 tests/integration

molecule: venv collection-link lab-up  ## molecule scenarios (against the lab, no containers)
	@set -e; cd $(REPO)/extensions; for s in molecule/*/molecule.yml; do \
	  s=$${s#molecule/}; $(VENV)/bin/molecule test -s $${s%/molecule.yml}; done

# everything CI runs. The checks that need no lab run while the lab comes up, two at a time (this machine kind has
# two cores: the lab's cold install is mostly pip and waiting, the checks are one core each); what needs the lab
# runs after it, one at a time (the lab has fixed ports). Each job's output is printed whole when it ends.
test:  ## everything CI runs: unit sanity lint docs, with the lab coming up beside them; then lab-smoke integration molecule
	$(MAKE) venv collection-link test-deps eda-deps
	$(MAKE) -j2 --output-sync=target unit sanity lint docs lab-up
	$(MAKE) lab-smoke lab-hosts-smoke integration molecule

demo: venv collection-link lab-up  ## the main playbook against the built-in lab (with its Prometheus, for what nodes use)
	$(LABCTL) alerts up
	cd $(COLL_LINK) && $(VENV)/bin/ansible-playbook playbooks/fleet_report.yml \
	  -e osfleet_cloud=lab-admin -e osfleet_clouds_yaml=$(OSFLEET_LAB_DIR)/clouds.yaml \
	  -e osfleet_bmc_map=$(OSFLEET_LAB_DIR)/bmcs-all.yml -e osfleet_prometheus_url=http://127.0.0.1:18600 \
	  -e osfleet_report_dir=$(OSFLEET_LAB_DIR)/reports

# The compliance audit of the lab: labctl up writes audit-vars.yml (cloud, clouds.yaml, the HTTPS BMC map
# and its CA, packs, parameters and waivers; lab/lablib/audit_params.py). Four reports per run.
AUDIT_REPORT_DIR ?= $(OSFLEET_LAB_DIR)/reports/compliance
AUDIT_FAIL_ON ?= high
demo-audit: venv collection-link lab-up  ## the compliance audit against the built-in lab (reports in .lab/reports/compliance)
	cd $(COLL_LINK) && $(VENV)/bin/ansible-playbook osfleet.day2.compliance_audit \
	  -e @$(OSFLEET_LAB_DIR)/audit-vars.yml \
	  -e osfleet_report_dir=$(AUDIT_REPORT_DIR) -e osfleet_audit_fail_on=$(AUDIT_FAIL_ON)

# Remediation on the lab: nova-compute stopped on compute-03 (labctl fault), Nova sees it down (~20 s), then the
# playbook confirms it with the audit, restarts nova-compute through the lab's service manager, verifies, returns.
DEMO_HOST ?= compute-03
demo-remediation: venv collection-link lab-up  ## a lab fault found, fixed, verified and the host returned (remediate)
	$(LABCTL) fault $(DEMO_HOST) compute_down
	@for i in $$(seq 60); do $(LABCTL) status 2>/dev/null | grep -q "down: .*$(DEMO_HOST)" && break; sleep 1; done
	cd $(COLL_LINK) && $(VENV)/bin/ansible-playbook osfleet.day2.remediate -e @$(OSFLEET_LAB_DIR)/remediation-vars.yml \
	  -e host=$(DEMO_HOST)

$(BENCH_VENV)/.stamp: requirements.txt requirements-bench.txt tools/find-python
	@PYTHON="$${PYTHON:-$$(tools/find-python)}" || exit 1; \
	"$$PYTHON" -m venv --clear $(BENCH_VENV) && \
	$(BENCH_VENV)/bin/python -m pip install -q --upgrade pip==25.2 && \
	$(BENCH_VENV)/bin/python -m pip install -q -r requirements-bench.txt
	@touch $@

bench-venv: $(BENCH_VENV)/.stamp

bench-inventory: bench-venv collection-link lab-up  ## inventory benchmark vs openstack.cloud at $(BENCH_SERVERS) servers
	@for n in $(BENCH_SERVERS); do \
	  $(BENCH_VENV)/bin/python benchmarks/bench_inventory.py --label $$n-servers --ensure-servers $$n --runs 5 || exit 1; \
	done
	$(BENCH_VENV)/bin/python benchmarks/report.py

bench-hardware: venv bench-venv collection-link lab-up  ## BMC scan vs community.general.redfish_info on the lab BMCs
	@have=$$(grep -c '^bench-bmc-' $(OSFLEET_LAB_DIR)/bmcs.yml || true); \
	  if [ "$$have" -lt $(BENCH_BMCS) ]; then $(LABCTL) seed --bmcs $$(( $(BENCH_BMCS) - have )); fi
	$(BENCH_VENV)/bin/python benchmarks/bench_hardware.py --label $(BENCH_BMCS)-bmcs --runs 5 --slow-runs 3
	$(BENCH_VENV)/bin/python benchmarks/report.py

bench-drain: venv bench-venv collection-link lab-up  ## host_drain vs a sequential openstack server migrate --live-migration --wait loop, 50 servers
	$(BENCH_VENV)/bin/python benchmarks/bench_drain.py --servers 50 --runs 3 --max-parallel 10
	$(BENCH_VENV)/bin/python benchmarks/report.py

# Three sites, each the lab behind its own delaying proxies (ports 18710-18736): adds keystone regions wan-1..3 to
# the lab's catalog while it runs (removed at the end), so not beside tests that read every region of the lab.
bench-wan: bench-venv collection-link lab-up  ## fleet and control_plane_info over 3 sites $(BENCH_WAN_DELAY_MS) ms away (each way) vs 0 ms
	$(BENCH_VENV)/bin/python benchmarks/bench_wan.py --delay-ms $(BENCH_WAN_DELAY_MS) --runs 3
	$(BENCH_VENV)/bin/python benchmarks/report.py

bench-patch: venv bench-venv collection-link lab-up  ## rolling_patch vs a sequential disable/drain/patch/reboot/enable loop, 4 hosts
	$(LABCTL) hosts up
	$(BENCH_VENV)/bin/python benchmarks/bench_patch.py --runs 2
	$(BENCH_VENV)/bin/python benchmarks/report.py

bench: bench-inventory bench-hardware bench-drain bench-wan bench-patch  ## every benchmark; results in docs/benchmarks.md

clean:  ## remove build and test output (keeps .venv and .lab)
	rm -rf dist $(CACHE)/sanity tests/output
