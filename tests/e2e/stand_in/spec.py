"""Request bodies checked against the request schemas of Discord's OpenAPI document (when it is present)."""

from __future__ import annotations

import json
import re
import reprlib
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

REPO_ROOT = Path(__file__).resolve().parents[3]
SPEC_PATH = REPO_ROOT.parent / "shared" / "discord-api-spec" / "openapi.json"
DOCUMENT_URI = "urn:discord-openapi"
METHODS = ("get", "put", "post", "patch", "delete")


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


class ApiSpec:
    """The routes of Discord's API and a validator for each request body, built on first use."""

    def __init__(self, document: dict[str, Any]) -> None:
        schemas = dict(document["components"]["schemas"])
        # Discord takes ids as JSON numbers too (discord.py sends attachment indexes that way); the spec only
        # lists strings.
        schemas["SnowflakeType"] = {"anyOf": [schemas["SnowflakeType"], {"type": "integer", "minimum": 0}]}
        document = {**document, "components": {**document["components"], "schemas": schemas}}
        self.document = document
        resource = Resource.from_contents(document, default_specification=DRAFT202012)
        self.registry: Registry = Registry().with_resource(DOCUMENT_URI, resource)
        self.routes: list[tuple[re.Pattern[str], str]] = []
        for template in document["paths"]:
            pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
            self.routes.append((re.compile(pattern + "$"), template))
        # A literal segment (`@original`) beats a parameter (`{message_id}`) that would also match.
        self.routes.sort(key=lambda route: route[1].count("{"))
        self._validators: dict[tuple[str, str, str], Draft202012Validator | None] = {}

    def route(self, path: str) -> str | None:
        """The spec's path template for a request path below the API base, e.g. `/users/@me`."""
        for pattern, template in self.routes:
            if pattern.match(path):
                return template
        return None

    def validator(self, method: str, template: str, content_type: str) -> Draft202012Validator | None:
        key = (method, template, content_type)
        if key not in self._validators:
            operation = self.document["paths"][template].get(method.lower()) or {}
            content = (operation.get("requestBody") or {}).get("content") or {}
            if content_type not in content:
                self._validators[key] = None
            else:
                where = _pointer(
                    "paths", template, method.lower(), "requestBody", "content", content_type, "schema"
                )
                schema = {"$ref": f"{DOCUMENT_URI}#{where}"}
                self._validators[key] = Draft202012Validator(schema, registry=self.registry)
        return self._validators[key]

    def check(self, method: str, path: str, body: Any) -> list[str]:
        """Violations of the operation's JSON request schema (multipart bodies pass their payload_json)."""
        template = self.route(path)
        where = f"{method} {path}"
        if template is None:
            return [f"{where}: no such route in Discord's API"]
        if method.lower() not in self.document["paths"][template]:
            return [f"{where}: Discord's API has no {method} on {template}"]
        if body is None:
            return []
        validator = self.validator(method, template, "application/json")
        if validator is None:
            return []
        errors = list(validator.iter_errors(body))
        if not errors:
            return []
        error = _deepest(best_match(errors))
        at = "/".join(str(p) for p in error.absolute_path) or "(body)"
        message = error.message
        if len(message) > 200:
            message = (
                f"{reprlib.repr(error.instance)} fails {error.validator} {str(error.validator_value)[:100]}"
            )
        return [f"{where}: schema of {template}: at {at}: {message}"]


def _deepest(error: ValidationError) -> ValidationError:
    """Inside anyOf/oneOf, the failure of the branch that got deepest into the body: the one the bot meant."""
    if not error.context:
        return error
    return max((_deepest(e) for e in error.context), key=lambda e: len(e.absolute_path))


@cache
def load_spec(path: Path = SPEC_PATH) -> ApiSpec | None:
    """The spec from ../shared, or None when this checkout has none beside it."""
    if not path.is_file():
        return None
    return ApiSpec(json.loads(path.read_text(encoding="utf-8")))
