"""Cycle detection: the one walk used for cause and KPI parents, strategy-map links and anything else."""
from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

__all__ = ["find_cycles", "parent_cycles"]

N = TypeVar("N", bound=Hashable)


def find_cycles(edges: Mapping[N, Iterable[N]]) -> list[list[N]]:
    """Every elementary cycle met by a depth-first walk, once per node set, each as ``[a, b, …]`` (a → b → … → a).

    Iterative (no recursion limit on long chains); nodes are visited in the mapping's order."""
    adj = {k: list(v) for k, v in edges.items()}
    state: dict[N, int] = {}  # 1 on the current path, 2 done
    seen: set[frozenset[N]] = set()
    out: list[list[N]] = []
    for root in adj:
        if state.get(root):
            continue
        stack = [(root, iter(adj.get(root, ())))]
        path = [root]
        state[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                stack.pop()
                path.pop()
                state[node] = 2
                continue
            s = state.get(nxt, 0)
            if s == 0:
                state[nxt] = 1
                stack.append((nxt, iter(adj.get(nxt, ()))))
                path.append(nxt)
            elif s == 1:
                cycle = path[path.index(nxt):]
                if frozenset(cycle) not in seen:
                    seen.add(frozenset(cycle))
                    out.append(cycle)
    return out


def parent_cycles(parent: Mapping[N, N]) -> list[list[N]]:
    """Cycles of a child → parent mapping (a tree has none), each listed child first, following parents."""
    return find_cycles({k: [v] for k, v in parent.items()})
