"""The build graph: every step names the steps it depends on."""
from .errors import UnknownStep


class BuildGraph:
    def __init__(self):
        self._deps = {}

    def add(self, name, deps=()):
        if name in self._deps:
            raise ValueError(f"step {name!r} defined twice")
        self._deps[name] = tuple(sorted(set(deps)))
        return self

    def __contains__(self, name):
        return name in self._deps

    def names(self):
        return sorted(self._deps)

    def deps(self, name):
        """The direct dependencies of a step, sorted; UnknownStep if the step is not defined."""
        if name not in self._deps:
            raise UnknownStep(name)
        return self._deps[name]

    @classmethod
    def from_lines(cls, text):
        """Parse lines like "app: lib utils" ("name:" alone for a step without dependencies)."""
        graph = cls()
        for line in text.splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                name, _, deps = line.partition(":")
                graph.add(name.strip(), deps.split())
        return graph
