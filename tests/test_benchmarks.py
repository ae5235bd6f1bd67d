"""The benchmark scripts still run (they are reports, not tests: only that they work is checked)."""
from __future__ import annotations

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(script, *args):
    env = {**os.environ, "PYTHONPATH": ROOT}
    done = subprocess.run([sys.executable, os.path.join(ROOT, "benchmarks", script), *args], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_profile_core_times_each_step_inside_real_calls():
    out = run("profile_core.py", "-n", "30", "CreateKey", "ListKeys")
    for operation in ("CreateKey", "ListKeys"):
        section = out.split(f"== {operation}:")[1].split("==")[0]
        rows = {line.split(None, 1)[1].strip(): float(line.split()[0]) for line in section.splitlines()[1:] if line.strip()}
        assert rows[operation] > 0 and rows["wire.serve"] > rows["service.dispatch"] > rows[operation]


def test_bench_core_quick_run_reports_every_operation():
    out = run("bench_core.py", "--quick", "--no-moto")
    for operation in ("CreateKey", "DescribeKey", "Encrypt", "Decrypt", "GenerateDataKey"):
        assert any(line.startswith(operation) and "(<=1.3)" in line for line in out.splitlines()), operation
