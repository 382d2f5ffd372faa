"""The risk check: how likely an answer the thresholds chose is wrong, from the signals the match
already has (a tree ensemble fitted by scripts.fit_risk on the tuning sets; heldout2 and the
validation sets are never used). An answer at least `cutoff` likely wrong is offered instead
("Menade du …?"): a wrong answer costs a caseworker more than a click.

The model is data (lotsen/data/risk_model.json, written by scripts.fit_risk); the words a
question opens with that it tells apart are in lotsen/data/risk.yaml. Evaluating it is plain
Python: each tree is walked from its root (a feature at most its threshold goes left), the
leaves' values are added to the baseline, and the sum is the log-odds of a wrong answer.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).resolve().parent / "data"
MODEL = DATA / "risk_model.json"
OPENERS = DATA / "risk.yaml"

# The answer decisions (MatchResult.reason, "+ask" included) the model tells apart; any other is
# none of them.
REASONS = ("clear", "clear+ask", "clear-long", "clear-long+ask")
# Answers a rule gave to another entry than the best-scored one, having checked that entry itself
# (the party asked about, the year asked about, the place asked about): the signals describe the
# best-scored entry, not the answer, so they are not checked.
PROMOTED = ("party", "year-answer", "not-here-answer")


def checked(reason: str) -> bool:
    """Whether an answer made for this reason is checked."""
    return reason.split("+")[0] not in PROMOTED


@lru_cache(maxsize=4)
def openers(path: Path = OPENERS) -> tuple[str, ...]:
    """The beginnings of a question's first word that the model tells apart (risk.yaml; read once,
    like the model)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return tuple(str(w) for w in data.get("openers", ()))


@dataclass(frozen=True)
class Tree:
    # Per node: the feature's index (-1 for a leaf), its threshold, the left and right child, the
    # value (a leaf's contribution to the log-odds).
    feature: tuple[int, ...]
    threshold: tuple[float, ...]
    left: tuple[int, ...]
    right: tuple[int, ...]
    value: tuple[float, ...]

    def leaf(self, x: list[float]) -> float:
        node = 0
        feature, threshold, left, right = self.feature, self.threshold, self.left, self.right
        while feature[node] >= 0:
            node = left[node] if x[feature[node]] <= threshold[node] else right[node]
        return self.value[node]


@dataclass(frozen=True)
class RiskModel:
    features: tuple[str, ...]  # the order of x
    baseline: float
    trees: tuple[Tree, ...]
    cutoff: float  # an answer at least this likely wrong is offered
    about: str = ""  # how and when it was fitted (scripts.fit_risk)

    def probability(self, signals: dict[str, float]) -> float:
        """The probability that the answer is wrong."""
        x = [float(signals.get(name, 0.0)) for name in self.features]
        z = self.baseline + math.fsum(t.leaf(x) for t in self.trees)
        z = max(-30.0, min(30.0, z))
        return round(1.0 / (1.0 + math.exp(-z)), 4)

    def to_json(self) -> dict:
        return {
            "about": self.about,
            "cutoff": self.cutoff,
            "features": list(self.features),
            "baseline": self.baseline,
            "trees": [
                {"feature": t.feature, "threshold": t.threshold, "left": t.left, "right": t.right, "value": t.value}
                for t in self.trees
            ],
        }

    def dumps(self) -> str:
        """The model as JSON with a tree to a line (a refit's diff shows what moved)."""
        data = self.to_json()
        trees = ",\n".join(json.dumps(t, separators=(",", ":")) for t in data.pop("trees"))
        head = json.dumps(data, ensure_ascii=False, indent=1)[:-2]
        return f'{head},\n "trees": [\n{trees}\n ]\n}}\n'

    @classmethod
    def from_json(cls, data: dict) -> RiskModel:
        trees = tuple(
            Tree(
                tuple(int(v) for v in t["feature"]),
                tuple(float(v) for v in t["threshold"]),
                tuple(int(v) for v in t["left"]),
                tuple(int(v) for v in t["right"]),
                tuple(float(v) for v in t["value"]),
            )
            for t in data["trees"]
        )
        return cls(
            tuple(data["features"]), float(data["baseline"]), trees, float(data["cutoff"]), str(data.get("about", ""))
        )


@lru_cache(maxsize=4)
def load(path: Path = MODEL) -> RiskModel | None:
    """The shipped model, or None when there is none (every answer stands). Read once: every
    matcher (a reload builds one) shares the same immutable model."""
    if not path.exists():
        return None
    return RiskModel.from_json(json.loads(path.read_text(encoding="utf-8")))
