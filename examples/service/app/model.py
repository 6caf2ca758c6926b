"""The priority classifier: a scikit-learn pipeline trained offline and shipped as a joblib file."""

from __future__ import annotations

import joblib

from app import settings

# SL104: unpickles the model (and imports scikit-learn on the way) on every cold start.
MODEL = joblib.load(settings.MODEL_PATH)


def labels() -> list[str]:
    return [str(label) for label in MODEL.classes_]


def predict_priority(features: list[float]) -> tuple[str, float]:
    """The most likely priority and its probability."""
    probabilities = MODEL.predict_proba([features])[0]
    best = max(range(len(probabilities)), key=lambda i: probabilities[i])
    return str(MODEL.classes_[best]), float(probabilities[best])
