"""Requests to operations, from each operation's ``http.method`` and ``http.requestUri``.

Paths are matched as the client sent them (still percent-encoded), one segment per label;
``{name+}`` (greedy) takes the rest of the path. Label values are decoded only after the match,
so an ARN carrying ``%2F`` stays inside its label. Vigil's own endpoints live under
``/_vigil/``, which no model route may use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import unquote

from vigil.api.models import BotocoreServiceModel, OperationModel

VIGIL_PREFIX = "/_vigil/"


@dataclass(frozen=True)
class Segment:
    text: str  # a literal, or the label's name
    label: bool = False
    greedy: bool = False


@dataclass(frozen=True)
class Route:
    service: BotocoreServiceModel
    operation: OperationModel
    method: str
    segments: tuple[Segment, ...]

    @property
    def name(self) -> str:
        return str(self.operation.name)

    @property
    def signing_name(self) -> str:
        return str(self.service.signing_name)

    def match(self, parts: list[str]) -> dict[str, str] | None:
        """The raw (still encoded) label values when ``parts`` fit this route."""
        labels: dict[str, str] = {}
        for index, segment in enumerate(self.segments):
            if segment.greedy:
                rest = "/".join(parts[index:])
                if not rest:
                    return None
                labels[segment.text] = rest
                return labels
            if index >= len(parts):
                return None
            if segment.label:
                if not parts[index]:
                    return None
                labels[segment.text] = parts[index]
            elif parts[index] != segment.text:
                return None
        return labels if len(parts) == len(self.segments) else None


@dataclass(frozen=True)
class Match:
    route: Route
    labels: dict[str, str]  # decoded


class NoRoute(Exception):
    """No operation lives at this path (``allowed`` lists the methods that would fit)."""

    def __init__(self, allowed: tuple[str, ...] = ()) -> None:
        super().__init__(allowed)
        self.allowed = allowed


class BadLabel(Exception):
    """A URI label does not decode to UTF-8 text."""


class Router:
    def __init__(self, models: Iterable[BotocoreServiceModel]) -> None:
        routes = [
            _route(model, model.operation_model(name))
            for model in models
            for name in model.operation_names
        ]
        # A literal segment is a better match than a label in the same place.
        routes.sort(key=lambda r: sum(s.label for s in r.segments))
        self.routes: tuple[Route, ...] = tuple(routes)
        _check_unambiguous(self.routes)

    def find(self, method: str, raw_path: str) -> Match:
        parts = raw_path.split("/")[1:]
        allowed: list[str] = []
        for route in self.routes:
            labels = route.match(parts)
            if labels is None:
                continue
            if route.method != method:
                allowed.append(route.method)
                continue
            return Match(route, {name: _decode(value) for name, value in labels.items()})
        raise NoRoute(tuple(sorted(set(allowed))))

    def route(self, operation: str) -> Route:
        for route in self.routes:
            if route.name == operation:
                return route
        raise LookupError(operation)


def _route(model: BotocoreServiceModel, operation: OperationModel) -> Route:
    http = operation.http
    # Neither model puts fixed query keys in a requestUri; they would follow a "?".
    path = str(http["requestUri"]).partition("?")[0]
    segments = []
    for text in path.split("/")[1:]:
        if text.startswith("{") and text.endswith("}"):
            name = text[1:-1]
            greedy = name.endswith("+")
            segments.append(Segment(name.rstrip("+"), label=True, greedy=greedy))
        else:
            segments.append(Segment(text))
    if path.startswith(VIGIL_PREFIX):
        raise ValueError(f"{operation.name}: {path} is inside Vigil's reserved prefix")
    return Route(model, operation, str(http["method"]), tuple(segments))


def _check_unambiguous(routes: tuple[Route, ...]) -> None:
    # Two routes with one method and the same literal/label pattern could never both be reached.
    seen: dict[tuple[str, tuple[str, ...]], str] = {}
    for route in routes:
        shape = tuple("{}" if s.label else s.text for s in route.segments)
        key = (route.method, shape)
        if key in seen:
            raise ValueError(f"{route.name} and {seen[key]} share {route.method} {shape}")
        seen[key] = route.name


def _decode(value: str) -> str:
    try:
        return unquote(value, errors="strict")
    except UnicodeDecodeError:
        raise BadLabel(value) from None
