"""Batch sheets made in `flask heritage worker`: the back office orders them, the worker renders,
verifies and records them through `produce()` (what the CLI calls), and keeps the PDF in media
storage (content-addressed) until the person who ordered it downloads it.
"""

from __future__ import annotations

import math

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from heritage.accounts.models import User
from heritage.accounts.scope import can_act_on
from heritage.errors import ValidationError
from heritage.extensions import db
from heritage.media.storage import app_storage
from heritage.plaques.designs import SIZE_PRESETS
from heritage.plaques.payload import PlaqueError
from heritage.plaques.production import PlaqueOrder, produce, unprintable
from heritage.plaques.sheets import sheet_grid
from heritage.sites.models import Site
from heritage.tasks import job_function

SHEET_JOB = "plaques.sheet"


def sorted_for_sheet(sites: list[Site]) -> list[Site]:
    """The order plaques take on the sheet (by district, then slug): the cutter's order."""
    return sorted(sites, key=lambda s: (s.district or "", s.slug))


@job_function(SHEET_JOB)
def print_sheet(progress, site_ids: list[int], size: str, sheet: str, ordered_by: int) -> dict:
    user = db.session.get(User, ordered_by)
    sites = list(db.session.scalars(select(Site).where(Site.id.in_(site_ids))))
    # Checked again here: a site may have moved unit, been archived or deleted since the order.
    if user is None or len(sites) != len(set(site_ids)) or not all(can_act_on(user, s) for s in sites):
        raise ValidationError(_l("Some of these sites changed since the order; choose them again."))
    archived = unprintable(sites)
    if archived:
        raise ValidationError(
            _l(
                "Archived sites get no new plaque: %(codes)s. Restore them first.",
                codes=", ".join(s.plaque_code for s in archived),
            )
        )
    preset = SIZE_PRESETS[size]
    config = current_app.config
    try:
        files, batch = produce(
            db.session,
            sorted_for_sheet(sites),
            PlaqueOrder("pdf", preset, sheet),
            created_by=f"web:{user.email}",
            printed_by=user,
            base_url=config["PUBLIC_BASE_URL"],
            default_unit=config["DEFAULT_MANAGING_UNIT"],
            extra_languages=config["PLAQUE_EXTRA_NAME_LANGUAGES"],
            # Rendering is most of the work; verifying the last tenth.
            progress=lambda done, total: progress(90 * done / total),
        )
    except PlaqueError as error:  # the same refusal every attempt: no retry
        raise ValidationError(
            _l("This plaque could not be made safely, so nothing was printed: %(why)s", why=str(error))
        ) from None
    sheet_file = files[0]
    key = app_storage().put(sheet_file.data)
    return {
        "key": key,
        "filename": sheet_file.filename,
        "pages": math.ceil(len(sites) / sheet_grid(preset, sheet).per_page),
        "sites": len(sites),
        "batch_id": batch.id,
    }
