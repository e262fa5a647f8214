"""`make train` retrains exactly when what the model learns from changes.

Training data, config, domain and our NLU/policy code retrain; content that
takes effect at run time (resource directory, topics, menus, content control,
catalogs) must not, which is what lets operators change it without a
retraining. Asked of make itself: `make -n -W FILE` prints what would run if
FILE had just changed.
"""

from __future__ import annotations

import shutil
import subprocess

import pytest

from bot.launch import MODEL
from bot.settings import PROJECT_ROOT

MODEL_TARGET = str(MODEL.relative_to(PROJECT_ROOT))

RETRAIN = [
    "config.yml",
    "domain.yml",
    "data/nlu/en/kyr_door.yml",
    "data/rules/topics.yml",
    "data/stories/menus.yml",
    "bot/nlu/language.py",
    "bot/policies/language.py",
]
NO_RETRAIN = [
    "data/content_control.yml",
    "data/resources/directory.yml",
    "data/topics.yml",
    "data/menus.yml",
    "data/languages.yml",
    "locales/es/LC_MESSAGES/messages.po",
    "bot/rendering/renderer.py",
]


def would_train(changed: str | None) -> bool:
    command = ["make", "--no-print-directory", "-n", MODEL_TARGET]
    if changed:
        command[3:3] = ["-W", changed]
    result = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    return "rasa train" in result.stdout


@pytest.fixture(scope="module", autouse=True)
def model_up_to_date() -> None:
    if shutil.which("make") is None or not MODEL.exists():
        pytest.skip("needs make and a trained model (`make test` trains first)")
    if would_train(None):
        pytest.skip("the model is out of date here; `make train` first")


@pytest.mark.parametrize("path", RETRAIN)
def test_a_change_to_training_inputs_retrains(path: str) -> None:
    assert (PROJECT_ROOT / path).exists(), path
    assert would_train(path), f"changing {path} should retrain the model"


@pytest.mark.parametrize("path", NO_RETRAIN)
def test_a_content_change_does_not_retrain(path: str) -> None:
    assert (PROJECT_ROOT / path).exists(), path
    assert not would_train(path), f"changing {path} must take effect without retraining"


def test_retraining_is_forced_past_rasas_fingerprint() -> None:
    """Rasa's own fingerprint does not see code changes: make must pass --force."""
    result = subprocess.run(
        ["make", "--no-print-directory", "-n", "-W", "config.yml", MODEL_TARGET],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    train_lines = [line for line in result.stdout.splitlines() if "rasa train" in line]
    assert train_lines and all("--force" in line for line in train_lines)
