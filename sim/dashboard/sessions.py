"""Which run belongs to which viewer: one Session per browser session (cookie).

A session is shared by that viewer's page loads, so a reload finds its run again; it is
freed ``grace_s`` after the last page of the session has gone (a reload closes the old page
before the new one attaches).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol


class Closable(Protocol):
    """What a registry holds: anything with a ``close()`` to free it (a Session stops its runner)."""

    def close(self) -> None:
        """Free what the object holds; called once, after the last page of its session left."""


class Registry[S: Closable]:
    """Sessions by browser-session id, with the page kernels attached to each."""

    def __init__(self, grace_s: float = 30.0) -> None:
        self.grace_s = grace_s
        self._lock = threading.Lock()
        self._sessions: dict[str, S] = {}
        self._kernels: dict[str, set[str]] = {}

    def attach(self, session_id: str, kernel_id: str, make: Callable[[], S]) -> S:
        """Give the viewer's session (made on first use), now also held by ``kernel_id``."""
        with self._lock:
            s = self._sessions.get(session_id)
            if s is None:
                s = self._sessions[session_id] = make()
            self._kernels.setdefault(session_id, set()).add(kernel_id)
            return s

    def detach(self, session_id: str, kernel_id: str) -> None:
        """Let a page's kernel go; the session goes ``grace_s`` later unless a page is back."""
        with self._lock:
            kernels = self._kernels.get(session_id)
            if kernels is None:
                return
            kernels.discard(kernel_id)
            if kernels:
                return
        if self.grace_s > 0:
            timer = threading.Timer(self.grace_s, self._free_if_unused, args=(session_id,))
            timer.daemon = True
            timer.start()
        else:
            self._free_if_unused(session_id)

    def _free_if_unused(self, session_id: str) -> None:
        with self._lock:
            if self._kernels.get(session_id):
                return
            self._kernels.pop(session_id, None)
            s = self._sessions.pop(session_id, None)
        if s is not None:
            s.close()

    def __len__(self) -> int:
        with self._lock:
            return len(self._sessions)
