# The two commands a newcomer needs: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PLUGINS := $(wildcard plugins/*/pyproject.toml)
EDITABLES := -e ./core$(foreach p,$(PLUGINS), -e ./$(dir $(p)))
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n auto

.PHONY: demo test lint typecheck clean

$(STAMP): core/pyproject.toml $(PLUGINS)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q $(subst -e ./core,-e ./core[test],$(EDITABLES))
	touch $@

demo: $(STAMP)
	$(BIN)/bangyaer --data-dir var demo

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check core plugins tests bench

typecheck: $(STAMP)
	$(BIN)/mypy core/src/bangyaer

clean:
	rm -rf $(VENV) var
