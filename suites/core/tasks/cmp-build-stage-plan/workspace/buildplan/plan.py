"""Build stages: every step runs in the earliest stage after all of its dependencies."""
from .cycles import find_cycle
from .errors import CycleError, UnknownStep


def stages(graph, targets, done=()):
    """The steps needed to build `targets`, grouped into stages that can run in parallel."""
    # TODO: fill in this gap — check for cycles, then place each needed step in its stage
    raise NotImplementedError


def format_plan(plan):
    """One line per stage: "1: lib, utils"."""
    return "\n".join(f"{number}: {', '.join(stage)}" for number, stage in enumerate(plan, start=1))


def critical_path_length(graph, targets, done=()):
    """How many stages the build needs at least."""
    return len(stages(graph, targets, done))
