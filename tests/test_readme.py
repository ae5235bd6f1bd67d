"""The README's Python examples run, as a user would paste them into a test file."""
from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
PRELUDE = "import boto3\nimport botocore.config\nimport pytest\nfrom mockkms import mock_kms\n\n"


def readme_tests() -> str:
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.DOTALL)
    return PRELUDE + "\n\n".join(block for block in blocks if "def test_" in block)


def test_readme_has_test_examples():
    assert readme_tests().count("def test_") >= 3


def test_readme_examples_pass(pytester):
    source = readme_tests()
    pytester.makepyfile(test_readme_examples=source)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-o", "asyncio_default_fixture_loop_scope=function")
    result.assert_outcomes(passed=source.count("def test_"))
