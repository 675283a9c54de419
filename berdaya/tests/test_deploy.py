import os
import subprocess
import sys

import pytest


@pytest.fixture
def production_env(tmp_path):
    # The browser tests' session fixture sets DJANGO_ALLOW_ASYNC_UNSAFE in this process; production never has it.
    return {
        **{name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-key-for-the-test-only",
        "ALLOWED_HOSTS": "berdaya.example.org",
        "BERDAYA_VAR_DIR": str(tmp_path),
    }


def test_the_deploy_check_reports_no_warnings_with_production_settings(production_env):
    result = subprocess.run(
        [sys.executable, "-m", "berdaya.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env,
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_with_the_published_secret_key(production_env):
    env = {**production_env}
    env.pop("SECRET_KEY")

    result = subprocess.run(
        [sys.executable, "-m", "berdaya.cli", "check"], env=env, capture_output=True, text=True, check=False
    )

    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
