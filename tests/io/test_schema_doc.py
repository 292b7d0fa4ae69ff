"""docs/case-format.md is generated from the model and documents every field."""

from __future__ import annotations

import json

import jsonschema
import yaml
from typer.testing import CliRunner

from oncoboard.cli import app
from oncoboard.io.schema_doc import case_format_markdown
from oncoboard.model import Case
from tests.conftest import EXAMPLES, ROOT


def test_docs_are_up_to_date():
    committed = (ROOT / "docs" / "case-format.md").read_text(encoding="utf-8")
    assert committed == case_format_markdown(), (
        "docs/case-format.md is stale: run `oncoboard schema --markdown > docs/case-format.md`"
    )


def test_every_field_of_every_model_is_documented():
    schema = Case.model_json_schema()
    text = case_format_markdown()
    for name, definition in [("Case", schema), *schema["$defs"].items()]:
        assert f"## {name}" in text
        for field in definition.get("properties", {}):
            assert f"| `{field}` |" in text, f"{name}.{field} missing from the docs"


def test_schema_command_prints_a_valid_json_schema_that_examples_satisfy():
    result = CliRunner().invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    for path in sorted(EXAMPLES.iterdir()):
        # dates stay strings, as in JSON; the YAML 1.1 timestamp type is not JSON
        document = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
        errors = list(validator.iter_errors(document))
        assert not errors, f"{path.name}: {errors[0].message}"
