"""The intent classifier scores exactly as Rasa's (sklearn's) logistic regression does."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import random as sparse_random
from sklearn.linear_model import LogisticRegression

from bot.nlu.classifier import LogisticRegressionIntentClassifier


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
    monkeypatch.setattr(component, "_create_X", lambda messages: rows)
    messages = component.process([Message(data={"text": str(i)}) for i in range(20)])
    expected = clf.predict_proba(rows)
    for message, probabilities in zip(messages, expected, strict=True):
        best = int(np.argmax(probabilities))
        assert message.get("intent")["name"] == clf.classes_[best]
        assert message.get("intent")["confidence"] == pytest.approx(probabilities[best], abs=1e-12)
        ranking = message.get("intent_ranking")
        assert len(ranking) == min(3, classes)
        assert [r["confidence"] for r in ranking] == pytest.approx(sorted(probabilities)[::-1][:3], abs=1e-12)
