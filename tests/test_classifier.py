"""The intent classifier scores exactly as Rasa's (sklearn's) logistic regression does."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import random as sparse_random
from sklearn.linear_model import LogisticRegression

from bot.nlu.classifier import LogisticRegressionIntentClassifier


def message_with_features(row: Any) -> Message:
    """A message with sentence features from two featurizers (columns 0-149 and 150-399), as ours."""
    message = Message(data={"text": "x"})
    message.add_features(Features(row[:, :150].tocoo(), FEATURE_TYPE_SENTENCE, TEXT, "words"))
    message.add_features(Features(row[:, 150:].tocoo(), FEATURE_TYPE_SENTENCE, TEXT, "characters"))
    message.add_features(Features(row[:, :150].tocoo(), FEATURE_TYPE_SEQUENCE, TEXT, "words"))  # not scored
    return message


@pytest.mark.parametrize("classes", [2, 5])
def test_probabilities_and_ranking_match_sklearn(classes: int, monkeypatch: Any) -> None:
    rng = np.random.default_rng(7)
    features = sparse_random(300, 400, density=0.05, format="csr", random_state=7)
    labels = [f"intent_{i}" for i in rng.integers(0, classes, 300)]
    clf = LogisticRegression(max_iter=300).fit(features, labels)
    component = LogisticRegressionIntentClassifier.__new__(LogisticRegressionIntentClassifier)
    component.clf = clf
    component.config = {"ranking_length": 3}
    rows = features[:20]
    messages = component.process([message_with_features(rows[i]) for i in range(20)])
    expected = clf.predict_proba(rows)
    for message, probabilities in zip(messages, expected, strict=True):
        best = int(np.argmax(probabilities))
        assert message.get("intent")["name"] == clf.classes_[best]
        assert message.get("intent")["confidence"] == pytest.approx(probabilities[best], abs=1e-12)
        ranking = message.get("intent_ranking")
        assert len(ranking) == min(3, classes)
        assert [r["confidence"] for r in ranking] == pytest.approx(sorted(probabilities)[::-1][:3], abs=1e-12)
