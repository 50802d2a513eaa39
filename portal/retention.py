"""Retention steps: each flow registers what it erases; `flask retention run` runs them all."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date


@dataclass
class RetentionReport:
    step: str
    count: int
    details: list[str]


# A step takes (today, dry_run) and returns a report; it commits its own work unless dry_run.
RETENTION_STEPS: list[tuple[str, Callable[[date, bool], RetentionReport]]] = []


def retention_step(name: str):
    def register(func: Callable[[date, bool], RetentionReport]):
        if not any(existing == name for existing, _ in RETENTION_STEPS):
            RETENTION_STEPS.append((name, func))
        return func

    return register


def run_retention(today: date, dry_run: bool = False) -> list[RetentionReport]:
    return [func(today, dry_run) for _, func in RETENTION_STEPS]
