# Every target bootstraps its own virtualenv, so a fresh clone needs only python3 and make.
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lab formgrader release bench bugbank lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)  ## release the assignment, grade a sample class, print the gradebook
	$(PY) -m grader demo

test: $(STAMP)  ## unit tests, grader end-to-end tests, nbval of the solution notebook
	$(PY) -m pytest

# Students see only nbgrader's Validate button: jupyter/student disables the instructor tools.
lab: $(STAMP)  ## open the student notebook in JupyterLab (served from the release folder)
	cd notebooks/release/optimization_methods && \
		JUPYTER_CONFIG_PATH=$(abspath jupyter/student) \
		$(abspath $(VENV))/bin/jupyter lab optimization_methods.ipynb

formgrader: $(STAMP)  ## the instructor's JupyterLab on the course, opened on nbgrader's formgrader
	cd notebooks && $(abspath $(VENV))/bin/jupyter lab --LabApp.default_url=/formgrader

release: $(STAMP)  ## regenerate the student version from the instructor source
	$(PY) -m grader release

bench: $(STAMP)  ## speed benchmarks, written to bench/results.json
	$(PY) -m bench

bugbank: $(STAMP)  ## catch rate of the autograder on the bank of typical wrong answers
	$(PY) tests/bugbank/report.py

lint: $(STAMP)
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) demo-output .pytest_cache
