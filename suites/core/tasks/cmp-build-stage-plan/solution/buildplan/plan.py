"""Build stages: every step runs in the earliest stage after all of its dependencies."""
from .cycles import find_cycle
from .errors import CycleError, UnknownStep


def stages(graph, targets, done=()):
    """The steps needed to build `targets`, grouped into stages that can run in parallel."""
    done = frozenset(done)
    cycle = find_cycle(graph, sorted(set(targets)), skip=done)
    if cycle:
        raise CycleError(cycle)
    level = {}

    def level_of(name):
        if name not in level:
            deps = [dep for dep in graph.deps(name) if dep not in done]
            level[name] = 1 + max((level_of(dep) for dep in deps), default=-1)
        return level[name]

    for target in targets:
        if target not in done:
            level_of(target)
    plan = [[] for _ in range(max(level.values(), default=-1) + 1)]
    for name, index in level.items():
        plan[index].append(name)
    return [sorted(stage) for stage in plan]


def format_plan(plan):
    """One line per stage: "1: lib, utils"."""
    return "\n".join(f"{number}: {', '.join(stage)}" for number, stage in enumerate(plan, start=1))


def critical_path_length(graph, targets, done=()):
    """How many stages the build needs at least."""
    return len(stages(graph, targets, done))
