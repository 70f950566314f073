"""Validation of an application case (`application-case.schema.json`, beside this file).

A case is validated before anything else: JSON Schema (Draft 2020-12) with a format checker, so that
dates are real dates, then the checks the schema cannot say (every `members_involved` index names an
existing member; numbers are finite). Either failure raises `CaseError`, whose message names the
field by its JSON pointer, in plain English (the `screen_case` command prints it).
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

SCHEMA_PATH = Path(__file__).resolve().parent / "application-case.schema.json"


class CaseError(ValueError):
    """A case that breaks the schema. `pointer` is the JSON pointer of the field at fault ("" for
    the case itself); `str(error)` names it, e.g. "/decision_date: '2026-02-30' is not a valid date"."""

    def __init__(self, message: str, pointer: str = ""):
        self.message = message
        self.pointer = pointer
        super().__init__(f"{pointer or '/'}: {message}")


@cache
def case_schema() -> dict[str, Any]:
    """The case schema, read once."""
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


@cache
def _validator() -> Draft202012Validator:
    schema = case_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def pointer(*parts: str | int) -> str:
    """The JSON pointer (RFC 6901) of a path: `pointer("members", 0, "role") == "/members/0/role"`."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def validate_case(case: Any) -> None:
    """Raise `CaseError` unless `case` is a valid application case."""
    errors = list(_validator().iter_errors(case))
    if errors:
        raise _case_error(best_match(errors))
    _check_numbers(case, ())
    members = len(case["members"])
    for i, programme in enumerate(case["programmes"]):
        for j, index in enumerate(programme.get("members_involved", ())):
            if index >= members:
                raise CaseError(
                    f"member {index} does not exist: the case has {members} member(s), numbered from 0",
                    pointer("programmes", i, "members_involved", j),
                )


def _check_numbers(value: Any, path: tuple) -> None:
    """NaN and infinities pass JSON Schema's bounds (every comparison with NaN is false)."""
    if isinstance(value, float) and not math.isfinite(value):
        raise CaseError(f"{value!r} is not a number", pointer(*path))
    if isinstance(value, dict):
        for key, item in value.items():
            _check_numbers(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_numbers(item, (*path, index))


def _case_error(error: ValidationError) -> CaseError:
    path = tuple(error.absolute_path)
    where = pointer(*path)
    keyword = error.validator
    if keyword == "required":
        missing = [name for name in error.validator_value if name not in error.instance]
        name = missing[0] if missing else ""
        return CaseError("this field is required", pointer(*path, name))
    if keyword == "additionalProperties":
        allowed = set(error.schema.get("properties", {}))
        extra = sorted(name for name in error.instance if name not in allowed)
        name = extra[0] if extra else ""
        return CaseError("this field is not part of the case schema", pointer(*path, name))
    if keyword == "enum":
        choices = ", ".join(str(choice) for choice in error.validator_value)
        return CaseError(f"{error.instance!r} is not one of: {choices}", where)
    if keyword == "format" and error.validator_value == "date":
        return CaseError(f"{error.instance!r} is not a valid date (YYYY-MM-DD)", where)
    if keyword == "type":
        return CaseError(f"{error.instance!r} is not of type {error.validator_value}", where)
    return CaseError(error.message, where)
