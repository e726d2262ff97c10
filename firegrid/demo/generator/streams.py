"""The random streams of the demo: one `random.Random` per purpose, seeded with a string made of the
demo's seed and the stream's name (string seeds are hashed with SHA-512, so they do not depend on
PYTHONHASHSEED). Adding a stream leaves the others' data as it was."""

from __future__ import annotations

import random


def seeded_rng(seed: int, stream: str) -> random.Random:
    return random.Random(f"firegrid-demo/{seed}/{stream}")
