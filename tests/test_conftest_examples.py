"""Every folder of conftest_examples/ passes when copied into a fresh project."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "conftest_examples"

# Plugins other than mockkms's and pytest-asyncio only slow the inner runs down (hypothesis's
# re-import costs ~1 s each); switching off one that is not installed is harmless.
UNRELATED_PLUGINS_OFF = ("-p", "no:cacheprovider", "-p", "no:hypothesispytest", "-p", "no:benchmark")

EXPECTED_PASSES = {"fixture": 4, "unittest_style": 4, "multi_region": 4, "signing": 4, "least_privilege": 4}


def run_example(pytester, name, *, with_conftest=True):
    shutil.copytree(EXAMPLES / name, pytester.path, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    if not with_conftest:
        (pytester.path / "conftest.py").unlink()
    return pytester.runpytest_inprocess(*UNRELATED_PLUGINS_OFF, "--strict-markers",
                                        "-o", "asyncio_default_fixture_loop_scope=function")


def test_every_example_folder_is_covered():
    folders = {p.name for p in EXAMPLES.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    assert folders == set(EXPECTED_PASSES)
    for name in folders:
        assert {"conftest.py", "test_example.py"} <= {p.name for p in (EXAMPLES / name).iterdir()}


@pytest.mark.parametrize("name", sorted(EXPECTED_PASSES))
def test_example_passes(pytester, name):
    result = run_example(pytester, name)
    result.assert_outcomes(passed=EXPECTED_PASSES[name])


@pytest.mark.parametrize("name", ["fixture", "multi_region", "signing", "least_privilege"])
def test_example_needs_its_conftest(pytester, name):
    result = run_example(pytester, name, with_conftest=False)
    result.assert_outcomes(errors=EXPECTED_PASSES[name])
    result.stdout.fnmatch_lines(["*fixture * not found*"])
