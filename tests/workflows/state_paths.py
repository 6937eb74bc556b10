"""Walking a workflow's transition table in tests."""

from collections import deque


def shortest_path(transitions: dict, state: str, start: str = "draft") -> list[str]:
    """The shortest list of actions that takes something from ``start`` to ``state``
    through ``transitions`` ({(from state, action): to state})."""
    queue, seen = deque([(start, [])]), {start}
    while queue:
        current, actions = queue.popleft()
        if current == state:
            return actions
        for (from_state, action), to_state in transitions.items():
            if from_state == current and to_state not in seen:
                seen.add(to_state)
                queue.append((to_state, [*actions, action]))
    raise LookupError(f"No path from {start} to {state!r} in the transition table")
