# The README's two commands: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test neo4j demo bench bench-match bench-qr clean stop

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

# Resolve Neo4j Community 5.26 from Maven Central (first time only) and start it on 127.0.0.1.
neo4j: $(STAMP)
	$(BIN)/ehc db start
	$(BIN)/ehc db migrate

## make run: set up, start Neo4j, load the demo population, print a token, serve on 127.0.0.1:8000
run: neo4j
	$(BIN)/ehc sandbox start
	$(BIN)/ehc demo load
	@echo
	@echo "Try it (token for a hospital system, valid 24 h):"
	@echo "  export TOKEN=$$($(BIN)/ehc token issue --role his --sub demo-his)"
	@echo "  curl -s -H \"Authorization: Bearer \$$TOKEN\" 'http://127.0.0.1:8000/domains'"
	@echo "  open http://127.0.0.1:8000/docs"
	@echo "Scan the demo e-health card: var/demo/ehc-static-qr.png (print label: var/demo/ehc-label.png)"
	@echo
	$(BIN)/ehc serve --no-start-db

## make test: the same setup, then the whole suite against a real Neo4j the fixtures start
test: $(STAMP)
	$(BIN)/python -c "from core.settings import get_settings; from graph.server import LocalServer; LocalServer(get_settings()).ensure_installed()"
	$(BIN)/pytest

# Printed labels need a CJK font (Debian's fonts-wqy-microhei, 1.6 MB): apt runs only when none is found.
.PHONY: cjk-font
cjk-font: $(STAMP)
	@$(BIN)/python -c "from healthcard.label_font import require_cjk_font; require_cjk_font()" 2>/dev/null || \
	  { apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei >/dev/null; }
	@$(BIN)/python -c "from healthcard.label_font import require_cjk_font; print('label font:', require_cjk_font())"
run test: cjk-font

bench: $(STAMP)
	$(BIN)/python bench/pix_load.py

stop: $(STAMP)
	-$(BIN)/ehc sandbox stop
	-$(BIN)/ehc db stop

clean: stop
	rm -rf $(VENV) var
