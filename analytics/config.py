"""YAML settings (config/*.yaml) validated with pydantic; errors name the file and the key."""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from analytics import settings
from analytics.errors import ConfigError
from analytics.fileio import atomic_write

M = TypeVar("M", bound=BaseModel)


def config_path(name: str) -> Path:
    """config/<name>.yaml (RISKDESK_CONFIG_DIR moves the folder)."""
    if not name.replace("_", "").isalnum():
        raise ConfigError(f"{name!r} is not a configuration name")
    return settings.config_dir() / f"{name}.yaml"


def read_yaml(path: Path) -> dict:
    """The mapping in a YAML file; ConfigError naming the file and line when it does not parse."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}:" if mark else ""
        problem = " ".join(str(getattr(exc, "problem", None) or exc).split())
        raise ConfigError(f"{path}:{where} not valid YAML ({problem})") from None
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys to values at the top")
    return data


def validate(model: type[M], data: dict, source: str) -> M:
    """`data` checked against `model`; ConfigError naming each bad key."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or "(top)"
            problems.append(f"{key}: {err['msg']}")
        raise ConfigError(f"{source}: " + "; ".join(problems)) from None


def load(name: str, model: type[M], path: Path | None = None) -> M:
    """The settings of config/<name>.yaml (or `path`) as a validated `model`."""
    path = path or config_path(name)
    return validate(model, read_yaml(path), str(path))


def save(name: str, value: BaseModel, path: Path | None = None) -> Path:
    """Write settings atomically (temp file in the same folder, then rename)."""
    path = path or config_path(name)
    text = yaml.safe_dump(value.model_dump(mode="json"), sort_keys=False, allow_unicode=True)
    return atomic_write(path, text)
