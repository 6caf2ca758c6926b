"""Turn a ticket's text into the classifier's input: L2-normalised keyword counts."""

from __future__ import annotations

import re

import torch  # SL101: over a second of import for one normalisation, and only featurize() uses it

from app import settings

_WORD = re.compile(r"[a-z0-9']+")


def featurize(text: str) -> list[float]:
    keywords: list[str] = settings.REMOTE_CONFIG["keywords"]
    words = _WORD.findall(text.lower())
    counts = [float(words.count(keyword)) for keyword in keywords]
    with torch.no_grad():
        vector = torch.tensor(counts, dtype=torch.float32)
        norm = vector.norm()
        if float(norm) > 0:
            vector = vector / norm
        return vector.tolist()
