"""Intent classifier: Rasa's logistic regression, scored without copying its weights.

sklearn scores a sparse message as `X @ coef_.T`. `coef_.T` is a transposed
(Fortran-ordered) view, and scipy copies it into C order on every call: with
18 languages that is 78,000 features x 25 intents, a 16 MB copy per message
(3 ms, most of the classifier's time; profiled with `benchmarks core`). This
component keeps one C-ordered copy of the weights, made once per loaded
model, and computes the same softmax of the same scores.
"""

from __future__ import annotations

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from sklearn.utils.extmath import softmax


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LogisticRegressionIntentClassifier(LogisticRegressionClassifier):
    def _weights_by_feature(self) -> np.ndarray:
        """coef_ transposed, in C order: one row of intent weights per feature."""
        coef = self.clf.coef_
        if getattr(self, "_weights_source", None) is not coef:
            # Made again only if the classifier is refitted (a new coef_ array).
            self._weights = np.ascontiguousarray(coef.T)
            self._weights_source = coef
        return self._weights

    def process(self, messages: list[Message]) -> list[Message]:
        if self.clf.classes_.size <= 2:  # sklearn scores two classes one-vs-rest
            return super().process(messages)
        scores = self._create_X(messages) @ self._weights_by_feature() + self.clf.intercept_
        probabilities = softmax(np.asarray(scores), copy=False)
        intents = self.clf.classes_
        for message, row in zip(messages, probabilities, strict=True):
            ranking = sorted(
                ({"name": name, "confidence": float(p)} for name, p in zip(intents, row, strict=True)),
                key=lambda entry: -entry["confidence"],
            )
            message.set(INTENT, ranking[0], add_to_output=True)
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
