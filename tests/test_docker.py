"""The Docker image and compose file as an operator relies on them (Docker itself does not run in the tests)."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def dockerfile_instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (NAME, arguments), continuation lines joined, comments left out."""
    instructions: list[tuple[str, str]] = []
    pending = ""
    for line in (REPO / "Dockerfile").read_text(encoding="utf-8").splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        name, _, arguments = (pending + line).strip().partition(" ")
        instructions.append((name.upper(), arguments.strip()))
        pending = ""
    return instructions


def healthcheck_command() -> list[str]:
    """The HEALTHCHECK's command, as Docker runs it (exec form)."""
    [arguments] = [args for name, args in dockerfile_instructions() if name == "HEALTHCHECK"]
    _, _, command = arguments.partition(" CMD ")
    return json.loads(command)


def image_environment() -> dict[str, str]:
    env: dict[str, str] = {}
    for name, arguments in dockerfile_instructions():
        if name == "ENV":
            for key, value in re.findall(r'(\w+)=("[^"]*"|\S+)', arguments):
                env[key] = value.strip('"')
    return env


def compose_services() -> dict[str, str]:
    """Each service's block of docker-compose.yml as text (PyYAML is not among the dependencies)."""
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    services = text.split("\nservices:\n", 1)[1].split("\nvolumes:\n", 1)[0]
    blocks = re.split(r"\n(?=  [a-z][\w-]*:\n)", "\n" + services)
    return {block.strip().split(":", 1)[0]: block for block in blocks if block.strip()}


def test_base_images_are_pinned_to_a_version_and_digest() -> None:
    images = [args.split()[0] for name, args in dockerfile_instructions() if name == "FROM"]
    images += [
        re.search(r"--from=(\S+)", args).group(1)  # type: ignore[union-attr]
        for name, args in dockerfile_instructions()
        if name == "COPY" and "--from=ghcr.io" in args
    ]
    assert len(images) == 3
    for image in images:
        assert re.fullmatch(r"[\w./-]+:\d+\.\d+\.\d+[\w.-]*@sha256:[0-9a-f]{64}", image), image
    assert all(image.startswith("python:3.11.") for image in images[:2])


def test_the_postgres_image_is_pinned_to_a_minor_version() -> None:
    [image] = re.findall(r"image: (\S+)", (REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    assert re.fullmatch(r"postgres:15\.\d+(-\w+)?", image), image


def test_the_healthcheck_asks_the_health_endpoint_with_python_and_a_short_timeout() -> None:
    [arguments] = [args for name, args in dockerfile_instructions() if name == "HEALTHCHECK"]
    assert re.search(r"--timeout=\d+s", arguments)
    command = healthcheck_command()
    assert command[:2] == ["python", "-c"]
    assert "/health" in command[2] and "timeout=" in command[2]
    compile(command[2], "HEALTHCHECK", "exec")


def test_the_image_serves_health_on_loopback_and_waits_on_a_configuration_error() -> None:
    env = image_environment()
    assert env["METRICS_PORT"].isdigit()
    assert env["METRICS_HOST"] == "127.0.0.1"
    assert env["PULSE_ON_CONFIG_ERROR"] == "wait"


def test_every_pulse_service_restarts_on_a_crash_and_after_a_reboot() -> None:
    services = compose_services()
    assert {"pulse", "postgres", "pulse-shard-0", "pulse-shard-1"} <= services.keys()
    text = (REPO / "docker-compose.yml").read_text(encoding="utf-8")
    shard_defaults = text.split("x-pulse-shard:", 1)[1].split("\nservices:", 1)[0]
    assert "restart: unless-stopped" in shard_defaults
    assert "restart: unless-stopped" in services["pulse"]
    for name in ("pulse", "pulse-shard-0", "pulse-shard-1"):
        # Built from the Dockerfile, so PULSE_ON_CONFIG_ERROR=wait applies; nothing here turns it off.
        assert "build: ." in services[name] or "<<: *pulse-shard" in services[name]
        assert "PULSE_ON_CONFIG_ERROR" not in services[name]
