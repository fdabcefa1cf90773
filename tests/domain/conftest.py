"""Report how many /ask questions rank their passage first (tests/domain/test_ask_questions.py), after the run."""

from __future__ import annotations

from collections.abc import Callable

import pytest

# question -> whether its passage ranked first, for the questions this run asked
_RANKED_FIRST = pytest.StashKey[dict[str, bool]]()


@pytest.fixture
def record_first(pytestconfig: pytest.Config) -> Callable[[str, bool], None]:
    """Note whether a question's passage ranked first, for the line at the end of the run."""
    ranked = pytestconfig.stash.setdefault(_RANKED_FIRST, {})

    def record(question: str, first: bool) -> None:
        ranked[question] = first

    return record


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter, config: pytest.Config) -> None:
    ranked = config.stash.get(_RANKED_FIRST, {})
    if ranked:
        first = sum(ranked.values())
        terminalreporter.write_line(
            f"/ask: {first} of {len(ranked)} questions rank their passage first ({first / len(ranked):.0%})"
        )
