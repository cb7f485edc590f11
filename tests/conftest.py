import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

import tiny  # noqa: E402


@pytest.fixture(scope="session")
def fast_encoder_dir(tmp_path_factory):
    return tiny.fast_encoder(tmp_path_factory.mktemp("fast_encoder"))


@pytest.fixture(scope="session")
def slow_encoder_dir(tmp_path_factory):
    return tiny.slow_encoder(tmp_path_factory.mktemp("slow_encoder"))


@pytest.fixture(scope="session")
def bundle_dir(tmp_path_factory, fast_encoder_dir):
    """An untrained NER + classifier bundle: random predictions, real plumbing."""
    return tiny.random_bundle(fast_encoder_dir, tmp_path_factory.mktemp("bundle"), window_length=24, stride=6)
