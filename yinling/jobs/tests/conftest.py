"""Job kinds for the tests: counting in chunks, with hooks to fail, cancel or apply midway."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from yinling.jobs.runners import KINDS, JobContext, JobFailed, JobKind, register_kind

# Called at each chunk with (ctx, chunk number): tests set it to act "from another request".
HOOKS: dict[str, Callable[[JobContext, int], None]] = {}


def count(ctx: JobContext) -> dict[str, Any]:
    chunks = int(ctx.params.get("chunks", 3))
    apply_at = ctx.params.get("apply_at")
    for i in range(chunks):
        if apply_at is not None and i == apply_at:
            ctx.applying()
        hook = HOOKS.get("chunk")
        if hook:
            hook(ctx, i)
        ctx.progress(i + 1, chunks, f"chunk {i + 1}")
    if ctx.params.get("fail") == "plain":
        raise JobFailed("The sheet has no rows.", {"rows": 0})
    if ctx.params.get("fail") == "crash":
        raise RuntimeError("secret internals /srv/yinling/var")
    with ctx.open_file("结果.txt") as fh:
        fh.write(b"personal data")
    return {"counted": chunks}


@pytest.fixture(autouse=True)
def test_kinds() -> Iterator[None]:
    register_kind(JobKind("test.count", "Count", count))
    yield
    KINDS.pop("test.count", None)
    HOOKS.clear()
