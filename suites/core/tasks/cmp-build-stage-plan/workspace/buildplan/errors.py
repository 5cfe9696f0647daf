class BuildError(Exception):
    """Base class of the planner's errors."""


class UnknownStep(BuildError):
    def __init__(self, name):
        super().__init__(f"unknown build step {name!r}")
        self.name = name


class CycleError(BuildError):
    def __init__(self, cycle):
        super().__init__("dependency cycle: " + " -> ".join(cycle))
        self.cycle = cycle  # e.g. ["api", "db", "api"]
