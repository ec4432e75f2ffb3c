# Two commands do all the set-up:  `make lab` (the workshop)  and  `make test` (everything CI runs).
# Each creates .venv on first use and reinstalls only when pyproject.toml changes.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.edgekit-installed
WHEELS := wheelhouse

.PHONY: lab test venv lint unit notebooks ui browser wheelhouse clean

venv: $(STAMP)

# With a wheelhouse/ folder present (see `make wheelhouse`), install from it with no network.
$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 10), "edgekit needs Python 3.10 or newer, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	if [ -d $(WHEELS) ]; then \
	  $(BIN)/python -m pip install --no-index --find-links $(WHEELS) -e '.[test]'; \
	else \
	  $(BIN)/python -m pip install --upgrade pip && $(BIN)/python -m pip install -e '.[test]'; \
	fi
	touch $(STAMP)

lab: $(STAMP)
	$(BIN)/jupyter lab --notebook-dir=notebooks --ServerApp.ip=127.0.0.1 $$([ "$$(id -u)" = 0 ] && echo --allow-root) \
	  --IdentityProvider.token="$${JUPYTER_TOKEN:-$$($(BIN)/python -c 'import secrets; print(secrets.token_hex(16))')}"

test: $(STAMP) browser lint
	$(BIN)/python -m pytest tests edgekit --nbval-lax notebooks

lint: $(STAMP)
	$(BIN)/ruff check .

unit: $(STAMP)
	$(BIN)/python -m pytest tests edgekit -m "not browser"

notebooks: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax notebooks

ui: $(STAMP) browser
	$(BIN)/python -m pytest tests/ui -m browser

# Debian's Chromium for the real-browser UI test; installed when missing and we are root.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else echo "Chromium missing: run 'sudo apt-get install chromium' (the UI test skips without it)"; fi; \
	fi

# Every wheel the kit needs, for USB sticks at a workshop with poor Wi-Fi.
wheelhouse: $(STAMP)
	$(BIN)/python -m pip download --dest $(WHEELS) pip setuptools wheel '.[test]'
	rm -f $(WHEELS)/edgekit-*

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
