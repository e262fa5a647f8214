"""Intent classifier: Rasa's logistic regression, scored without copying its weights.

sklearn scores a sparse message as `X @ coef_.T`. `coef_.T` is a transposed
(Fortran-ordered) view, and scipy copies it into C order on every call: with
18 languages that is 78,000 features x 25 intents, a 16 MB copy per message
(3 ms, most of the classifier's time; profiled with `benchmarks core`). This
component keeps one C-ordered copy of the weights, made once per loaded
model, and computes the same softmax of the same scores.

Rasa also stacks each message's sparse features into one row before
scoring (`_create_X`: a deep copy and three scipy stacks per message, 11%
of the SMS server's time under load, profiled with py-spy). Scores are a
sum over the featurizers' blocks, so each block is multiplied by its own
rows of the weights instead: the same scores, no stacking.
"""

from __future__ import annotations

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
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

    def _scores(self, message: Message) -> np.ndarray:
        """One message's intent scores: each featurizer's sentence block times its rows of the weights."""
        weights = self._weights_by_feature()
        blocks = [
            feature.features
            for feature in message.features
            if feature.attribute == TEXT and feature.type == FEATURE_TYPE_SENTENCE
        ]
        if not all(feature.is_sparse() for feature in message.features if feature.attribute == TEXT):
            return np.asarray(self._create_X([message]) @ weights + self.clf.intercept_)[0]
        scores = self.clf.intercept_.copy()
        offset = 0
        for block in blocks:  # in the order Rasa's _create_X stacks them
            width = block.shape[1]
            scores += np.asarray(block.tocsr() @ weights[offset : offset + width])[0]
            offset += width
        if offset != weights.shape[0]:
            raise ValueError(f"{offset} features for a model of {weights.shape[0]}")
        return scores

    def process(self, messages: list[Message]) -> list[Message]:
        if self.clf.classes_.size <= 2:  # sklearn scores two classes one-vs-rest
            return super().process(messages)
        scores = np.vstack([self._scores(message) for message in messages])
        probabilities = softmax(scores, copy=False)
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
