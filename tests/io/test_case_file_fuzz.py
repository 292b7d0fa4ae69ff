"""Property tests: mutated or random case files either load or raise CaseFileError."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncoboard.errors import CaseFileError
from oncoboard.io import parse_case, parse_text
from tests.conftest import EXAMPLES

SEED = (EXAMPLES / "mbc-001-hr-pos-first-line.yaml").read_text(encoding="utf-8")
SEED_JSON = next(EXAMPLES.glob("*.json")).read_text(encoding="utf-8")
FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)


def _load(text: str, fmt: str) -> None:
    try:
        parse_case(parse_text(text, f"fuzz.{fmt}", fmt))  # type: ignore[arg-type]
    except CaseFileError as exc:
        assert exc.problems and all(p.file == f"fuzz.{fmt}" for p in exc.problems)


@FUZZ
@given(st.data())
def test_mutated_yaml_case(data):
    text = SEED
    for _ in range(data.draw(st.integers(1, 4))):
        where = data.draw(st.integers(0, len(text)))
        action = data.draw(st.sampled_from(["delete", "insert", "truncate", "replace"]))
        if action == "delete":
            text = text[:where] + text[where + data.draw(st.integers(1, 40)) :]
        elif action == "insert":
            text = text[:where] + data.draw(st.text(max_size=20)) + text[where:]
        elif action == "truncate":
            text = text[:where]
        else:
            text = (
                text[:where]
                + data.draw(
                    st.sampled_from(
                        [
                            "-1",
                            "null",
                            "[]",
                            "{}",
                            "1e309",
                            "2024-02-30",
                            "'",
                            ": :",
                            "\t",
                            "*a",
                            "&a",
                        ]
                    )
                )
                + text[where + 1 :]
            )
    _load(text, "yaml")


@FUZZ
@given(st.data())
def test_mutated_json_case(data):
    where = data.draw(st.integers(0, len(SEED_JSON)))
    text = SEED_JSON[:where] + data.draw(st.text(max_size=10)) + SEED_JSON[where + 3 :]
    _load(text, "json")


@FUZZ
@given(st.text(max_size=300))
def test_random_text(text):
    _load(text, "yaml")
    _load(text, "json")


def test_fuzz_seeds_are_valid(tmp_path: Path):
    _load(SEED, "yaml")
    parse_case(parse_text(SEED_JSON, "seed.json", "json"))
