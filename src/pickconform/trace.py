"""`pickconform trace ID`: from a requirement ID to everything that concerns it, with file:line, so a newcomer goes
from an ID in a report to its statement, its spec, its scenarios and steps, its tests, its mutants and its variants."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pickconform.catalogue import catalogue
from pickconform.paths import FEATURES, PACKAGE, SPECS, SUITE, display

__all__ = ["trace"]

# Where an ID is mentioned, by what the place is to a reader.
_PLACES = (
    ("spec", SPECS, ("*.yaml", "*.json", "*.graphql", "*.md", "*.toml")),
    ("scenario", FEATURES, ("*.feature",)),
    ("test", SUITE, ("*.py",)),
    ("suite code", PACKAGE, ("*.py",)),
)


def _mentions(requirement: str) -> Iterator[tuple[str, Path, int, str]]:
    word = re.compile(rf"(?<![A-Z0-9-]){re.escape(requirement)}(?![A-Z0-9-])")
    for kind, root, patterns in _PLACES:
        for pattern in patterns:
            for path in sorted(root.rglob(pattern)):
                if "reference" in path.parts and path.name == "mutants.py":
                    continue  # listed as mutants and variants below
                if "_suite" in path.relative_to(root).parts:
                    continue  # an installed wheel's copy of the suite, listed as tests above
                for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
                    if word.search(line):
                        yield kind, path, number, line.strip()


def _scenario_steps(feature: Path, line: int) -> list[str]:
    """The steps of the scenario that follows a tag line."""
    steps: list[str] = []
    for text in feature.read_text(encoding="utf-8").splitlines()[line:]:
        stripped = text.strip()
        if stripped.startswith(("Scenario", "@")) and steps:
            break
        if stripped.split(" ", 1)[0] in ("Given", "When", "Then", "And", "But"):
            steps.append(stripped)
    return steps


_STEP = re.compile(r"""@(given|when|then)\((?:parsers\.(parse|re)\()?([rf]*)(["'])(.+?)\4""")
_CONSTANT = re.compile(r"""^([A-Z_]+) = r?(["'])(.+)\2$""")


def _step_definitions(family: str) -> list[tuple[re.Pattern[str], Path, int]]:
    """The step patterns of a family's conftest, as regular expressions, with where each is defined."""
    conftest = SUITE / family / "conftest.py"
    if not conftest.exists():
        return []
    found = []
    lines = conftest.read_text(encoding="utf-8").splitlines()
    constants = {m.group(1): m.group(3) for m in map(_CONSTANT.match, lines) if m}
    for number, line in enumerate(lines, 1):
        match = _STEP.search(line)
        if match is None:
            continue
        kind, prefix, text = match.group(2), match.group(3), match.group(5)
        if "f" in prefix:  # an f-string pattern built from the module's constants
            text = re.sub(r"\{([A-Z_]+)\}", lambda m: constants.get(m.group(1), ".+"), text)
        if kind != "re":  # a `parse` pattern, or a plain string: {name} and {name:d} match any text
            text = re.sub(r"\\\{[^}]*\\\}", ".+", re.escape(text))
        found.append((re.compile(text), conftest, number))
    return found


def _step_function(step: str, definitions: list[tuple[re.Pattern[str], Path, int]]) -> str:
    text = step.split(" ", 1)[1] if " " in step else step
    if re.search(r"<[^>]+>", text):
        return "(an outline step: one per example row)"
    for pattern, path, number in definitions:
        if pattern.fullmatch(text):
            return f"{display(path)}:{number}"
    return "(no step definition found)"


def trace(requirement: str) -> list[str]:
    """The lines `pickconform trace` prints; raises KeyError for an unknown ID."""
    from pickconform.reference.mutants import all_mutants, all_variants

    found = catalogue()[requirement]
    lines = [
        f"{found.id} ({found.family}, {found.level}, {found.basis}): {found.title}",
        f"  statement: {found.statement}",
        f"  source:    {found.source}",
    ]
    if found.decision:
        lines.append(f"  decision:  {found.decision}")
    for kind, path, number, text in _mentions(requirement):
        lines.append(f"{kind:<10} {display(path)}:{number}: {text[:110]}")
        if kind == "scenario":
            definitions = _step_definitions(found.family)
            for step in _scenario_steps(path, number):
                lines.append(f"{'':<12}{step:<70} {_step_function(step, definitions)}")
    for mutant in all_mutants().values():
        if mutant.requirement == requirement:
            lines.append(f"mutant     {mutant.name}: {mutant.description}")
    for variant in all_variants().values():
        if requirement in variant.requirements:
            departs = " (warns: departs from it)" if requirement in variant.departs else ""
            lines.append(f"variant    {variant.name}: {variant.decides}{departs}")
    return lines
