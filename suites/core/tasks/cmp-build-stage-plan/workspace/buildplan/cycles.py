"""Cycle detection by depth-first search."""


def find_cycle(graph, roots, skip=frozenset()):
    """The first dependency cycle reachable from `roots`, or None.

    Roots are searched in the given order and dependencies in sorted order; steps in `skip` are
    not entered. A cycle is returned closed, starting and ending with the same step:
    ["a", "b", "a"]. Raises UnknownStep for an undefined step that the search reaches.
    """
    state = {}  # name -> "active" while on the DFS path, "done" afterwards
    path = []

    def visit(name):
        state[name] = "active"
        path.append(name)
        for dep in graph.deps(name):
            if dep in skip:
                continue
            if state.get(dep) == "active":
                return path[path.index(dep):] + [dep]
            if dep not in state:
                found = visit(dep)
                if found:
                    return found
        path.pop()
        state[name] = "done"
        return None

    for root in roots:
        if root not in skip and root not in state:
            found = visit(root)
            if found:
                return found
    return None
