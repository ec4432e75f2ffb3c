# Two commands do all the set-up:  `make lab` (the workshop)  and  `make test` (everything CI runs).
# `make lab` installs what the chapters need (pyproject.toml's dependencies); `make test` adds the
# test and benchmark extras. Each creates .venv on first use and reinstalls only when
# pyproject.toml changes. `make doctor` checks a laptop, one OK/FAIL line per thing it needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
LAB_STAMP  := $(VENV)/.edgekit-lab
TEST_STAMP := $(VENV)/.edgekit-test
WHEELS := wheelhouse

# make lab ALLOW_ROOT=1: start JupyterLab as root anyway (a throwaway container, say).
ALLOW_ROOT ?=
# Who runs this (a variable so that a test can play root), where Chromium lives, and the
# installer `make test` uses for it when missing.
RUN_AS_UID ?= $(shell id -u)
CHROMIUM ?= /usr/bin/chromium
APT_GET ?= apt-get
# More arguments for `jupyter lab`, e.g. LAB_ARGS=--no-browser. Never a token: Jupyter makes one
# and prints it in the URL, or takes yours from the environment variable JUPYTER_TOKEN.
LAB_ARGS ?=
# Open quiet, fetching nothing from outside: no news feed, no update check, no PyPI listing in
# the extension manager. The news prompt itself is a front-end plugin, disabled at install.
LAB_QUIET := --LabApp.news_url=None --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
  --LabApp.extension_manager=readonly
NEWS_PLUGIN := @jupyterlab/apputils-extension:announcements

.PHONY: lab test venv lint unit notebooks ui browser doctor wheelhouse clean lab-user

venv: $(LAB_STAMP)

# With a wheelhouse/ folder present (see `make wheelhouse`), install from it with no network,
# checking every file against the sha256 recorded when it was downloaded.
$(LAB_STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "edgekit needs Python 3.10 or newer, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	if [ -d $(WHEELS) ]; then \
	  $(BIN)/python -m pip install --no-index --find-links $(WHEELS) --require-hashes -r $(WHEELS)/requirements.txt && \
	  $(BIN)/python -m pip install --no-index --no-deps --no-build-isolation -e .; \
	else \
	  $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e .; \
	fi
	$(BIN)/jupyter labextension disable --level=sys_prefix $(NEWS_PLUGIN)
	touch $@

$(TEST_STAMP): $(LAB_STAMP)
	$(BIN)/python -m pip install -e '.[test]'
	touch $@

lab: lab-user $(LAB_STAMP)
	@[ -z "$$JUPYTER_TOKEN" ] || echo "make lab: the token is the one in JUPYTER_TOKEN; Jupyter prints it as 'token=...': put yours in its place."
	$(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.ip=127.0.0.1 $(LAB_QUIET) \
	  $(if $(filter 1,$(ALLOW_ROOT)),--allow-root) $(LAB_ARGS)

# A server running as root hands root's shell to whoever holds the token: only on request.
lab-user:
	@if [ "$(RUN_AS_UID)" = 0 ] && [ "$(ALLOW_ROOT)" != 1 ]; then \
	  echo "make lab: not starting JupyterLab as root: its kernels and terminals would run as root." >&2; \
	  echo "Run make lab as your own user, or, on a throwaway machine, make lab ALLOW_ROOT=1" >&2; \
	  exit 1; \
	fi

test: $(TEST_STAMP) browser lint
	$(BIN)/python -m pytest tests edgekit --nbval-lax notebooks

lint: $(TEST_STAMP)
	$(BIN)/ruff check .

unit: $(TEST_STAMP)
	$(BIN)/python -m pytest tests edgekit -m "not browser"

notebooks: $(TEST_STAMP)
	$(BIN)/python -m pytest --nbval-lax notebooks

ui: $(TEST_STAMP) browser
	$(BIN)/python -m pytest tests/ui -m browser

# Debian's Chromium for the real-browser UI test; installed when missing and we are root.
browser:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$(RUN_AS_UID)" = 0 ]; then \
	    echo "make test: Chromium is missing and this runs as root: installing Debian's 'chromium' package with apt-get now (the browser UI test needs it)."; \
	    $(APT_GET) update -qq && $(APT_GET) install -y -qq chromium; \
	  else echo "Chromium missing: run 'sudo apt-get install chromium' (the UI test skips without it)"; fi; \
	fi

# One OK/FAIL line per thing a workshop laptop needs; DOCTOR_ARGS=--test adds what `make test` needs.
# Without .venv it runs on $(PYTHON) and says how to make one.
doctor:
	@if [ -x $(BIN)/python ]; then $(BIN)/python -m edgekit.doctor $(DOCTOR_ARGS); \
	else $(PYTHON) -m edgekit.doctor $(DOCTOR_ARGS); fi

# Every wheel the chapters need, for USB sticks at a workshop with poor Wi-Fi, each pinned by its
# sha256 in wheelhouse/requirements.txt.
wheelhouse: $(LAB_STAMP)
	rm -rf $(WHEELS) $(WHEELS).tmp
	$(BIN)/python -m pip download --dest $(WHEELS).tmp pip setuptools wheel .
	rm -f $(WHEELS).tmp/edgekit-*
	$(BIN)/python tools/hash_wheelhouse.py $(WHEELS).tmp > $(WHEELS).tmp/requirements.txt
	mv $(WHEELS).tmp $(WHEELS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
