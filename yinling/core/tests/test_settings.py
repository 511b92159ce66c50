from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[3]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    dropped = (
        "DEBUG",
        "SECRET_KEY",
        "FIELD_ENCRYPTION_KEY",
        "FIELD_HASH_KEY",
        "AUDIT_CHAIN_KEY",
        "DJANGO_ALLOW_ASYNC_UNSAFE",
        "DATABASE_URL",
    )
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-0123456789",
    "FIELD_ENCRYPTION_KEY": "q2mYq3A7z3gKQkDkZt1T2mJrC6l6h3Xn1yqgXcb0VJY=",
    "FIELD_HASH_KEY": "a-long-random-lookup-hash-key-0123456789abcdef",
    "AUDIT_CHAIN_KEY": "a-long-random-audit-chain-key-0123456789abcdef",
    "ALLOWED_HOSTS": "yinling.example.gov.cn",
    "SECURE_HSTS_PRELOAD": "1",
}


def test_it_passes_the_deployment_checks_with_production_settings(tmp_path: Path) -> None:
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", YINLING_VAR_DIR=str(tmp_path), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_refuses_to_start_without_secrets_when_debug_is_off(tmp_path: Path) -> None:
    result = run_manage("check", DEBUG="0", YINLING_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_it_checks_migrations_without_secrets_when_debug_is_off(tmp_path: Path) -> None:
    """makemigrations only reads the code: CI and image builds run it with no secrets at hand."""
    result = run_manage("makemigrations", "--check", "--dry-run", DEBUG="0", YINLING_VAR_DIR=str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes detected" in result.stdout


@pytest.mark.django_db
def test_it_sends_a_content_security_policy(client: Client) -> None:
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


@pytest.mark.django_db
def test_it_answers_in_chinese_whatever_the_browser_asks(client: Client) -> None:
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.django_db
def test_it_reports_health(client: Client) -> None:
    assert client.get("/healthz/").json()["status"] == "ok"
