"""Reading a process's settings from its environment: one rule per kind of value, one error.

Every service's settings go through these readers, so a bad value is refused the same
way everywhere: with SettingsError, whose message names the variable (never its value
when it may be a secret), and the process exits 2 with that message.
"""

from collections.abc import Mapping, Sequence

DEFAULT_DASHBOARD_PORT = "3000"


class SettingsError(ValueError):
    """A variable is missing or malformed; the message names it."""


def required(env: Mapping[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"{name} is required but not set")
    return value


def number(env: Mapping[str, str], name: str, default: float, *, allow_zero: bool = False) -> float:
    """A positive number (or zero, with `allow_zero`); `default` when unset or blank."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {raw!r}") from exc
    if not (value > 0 or (allow_zero and value == 0)):  # NaN is neither
        raise SettingsError(f"{name} must be positive")
    return value


def count(env: Mapping[str, str], name: str, default: int, *, minimum: int = 1) -> int:
    """A whole number of at least `minimum` (ASCII digits, no sign); `default` when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not _is_small_number(raw, digits=9) or int(raw) < minimum:
        raise SettingsError(f"{name} must be a whole number of at least {minimum}, got {raw!r}")
    return int(raw)


def port(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    if not _is_small_number(raw, digits=5) or not 0 < int(raw) < 65536:
        raise SettingsError(f"{name} must be a port number (1-65535), got {raw!r}")
    return int(raw)


def comma_list(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    """A comma list, blanks dropped; empty when unset."""
    return tuple(item.strip() for item in env.get(name, "").split(",") if item.strip())


def url(env: Mapping[str, str], name: str, schemes: Sequence[str]) -> str:
    """A URL starting with one of `schemes`; "" when unset (callers needing one use required)."""
    value = env.get(name, "").strip()
    if value and not value.startswith(tuple(schemes)):
        spelled = ", ".join(schemes[:-1]) + f" or {schemes[-1]}" if len(schemes) > 1 else schemes[0]
        raise SettingsError(f"{name} must start with {spelled}")
    return value


def cors_origins(env: Mapping[str, str]) -> tuple[str, ...]:
    """CORS_ORIGINS; unset, the dashboard's own origins (127.0.0.1 and localhost at
    DASHBOARD_PORT, 3000 by default)."""
    listed = comma_list(env, "CORS_ORIGINS")
    if listed:
        return listed
    dashboard_port = env.get("DASHBOARD_PORT", "").strip() or DEFAULT_DASHBOARD_PORT
    return (f"http://127.0.0.1:{dashboard_port}", f"http://localhost:{dashboard_port}")


def _is_small_number(raw: str, digits: int) -> bool:
    """ASCII digits only, and few enough that `int()` takes them (it refuses > 4300)."""
    return raw.isascii() and raw.isdigit() and len(raw) <= digits
