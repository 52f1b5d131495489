"""Job functions for the queue's tests (registered on import, in the test process and its workers)."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from sqlalchemy import func, select

from heritage.accounts.models import Unit, UnitKind
from heritage.errors import ValidationError
from heritage.extensions import db
from heritage.tasks import job_function


@job_function("test.make_unit")
def make_unit(progress, name: str, steps: int = 3) -> dict:
    """Work that must be committed with the job's "done": a row."""
    for step in range(steps):
        progress(100 * step / steps, f"step {step + 1} of {steps}")
    unit = Unit(name=name, kind=UnitKind.youth_union)
    db.session.add(unit)
    db.session.flush()
    return {"unit_id": unit.id}


@job_function("test.half_then_fail")
def half_then_fail(progress, name: str) -> None:
    """Writes a row, then breaks: the row must not survive."""
    db.session.add(Unit(name=name, kind=UnitKind.youth_union))
    db.session.flush()
    progress(50, "half way")
    raise RuntimeError("the disk is full")


@job_function("test.refused")
def refused(progress) -> None:
    raise ValidationError("The panorama is not 2:1 (it is 3000 × 2000).")


@job_function("test.crash_once")
def crash_once(progress, marker: str, name: str) -> dict:
    """Kills its own worker on the first attempt (a power cut mid-job), succeeds after."""
    progress(10, "started")
    path = Path(marker)
    if not path.exists():
        path.write_text("crashed once")
        os.kill(os.getpid(), signal.SIGKILL)
    return make_unit(progress, name, steps=1)


@job_function("test.read_work_write")
def read_work_write(progress, name: str, seconds: float) -> dict:
    """What a media job does: read its inputs, work for a while (tiling), then write the results."""
    units = db.session.scalar(select(func.count()).select_from(Unit))
    time.sleep(seconds)
    unit = Unit(name=name, kind=UnitKind.youth_union)
    db.session.add(unit)
    db.session.flush()
    return {"unit_id": unit.id, "units_before": units}
