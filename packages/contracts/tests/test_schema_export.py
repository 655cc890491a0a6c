"""The committed JSON Schema (source of the dashboard's types) matches the models."""

from pathlib import Path

from contracts.schema_export import render

ROOT = Path(__file__).resolve().parents[3]


def test_the_committed_schema_is_up_to_date() -> None:
    committed = (ROOT / "frontend/lib/contracts.schema.json").read_text()
    assert committed == render(), (
        "frontend/lib/contracts.schema.json is stale: run `make contracts` and commit it"
    )


def test_every_wire_model_is_a_named_type() -> None:
    import json

    schema = json.loads(render())
    assert {"Call", "CallEvent", "Alert", "Stats", "CallEventMessage"} <= set(schema["properties"])
    assert set(schema["properties"]) <= set(schema["$defs"])
