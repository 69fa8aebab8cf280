"""Shared pytest set-up: hypothesis budgets.

Two hypothesis profiles: ``ci`` (the default: a small budget that keeps the suite quick) and
``thorough`` (a large budget for local runs). Pick one with ``HYPOTHESIS_PROFILE=thorough`` or
``pytest --slow``; ``--slow`` also runs the tests marked ``slow``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
# ci is derandomized: a red run reproduces from the commit alone; thorough explores afresh
settings.register_profile("ci", max_examples=40, deadline=None, suppress_health_check=_QUIET,
                          derandomize=True, print_blob=True)
settings.register_profile("thorough", max_examples=1000, deadline=None, suppress_health_check=_QUIET,
                          print_blob=True)


def pytest_addoption(parser):
    parser.addoption("--slow", action="store_true", default=False,
                     help="thorough hypothesis profile (1000 examples) and the tests marked slow")


def pytest_configure(config):
    profile = "thorough" if config.getoption("--slow") else os.environ.get("HYPOTHESIS_PROFILE", "ci")
    settings.load_profile(profile)


def pytest_collection_modifyitems(config, items):
    if config.getoption("--slow"):
        return
    skip = pytest.mark.skip(reason="needs --slow")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)
