"""Plaque production as a service: choose sites, render, verify, record the batch and audit it.

The CLI and the back office (preview, download, batch sheets) call the same functions.
Nothing is returned (so nothing is written) unless every plaque decoded to exactly its URL.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from heritage.accounts.audit import AuditAction, record
from heritage.accounts.models import User
from heritage.plaques.designs import EXTRA_NAME_LANGUAGES, PlaqueContent, PlaqueSize, make_content
from heritage.plaques.models import PrintBatch, PrintBatchItem
from heritage.plaques.payload import PlaqueError
from heritage.sites.codes import normalise_code
from heritage.sites.models import Site, SiteKind
from heritage.sites.visibility import LISTED, PRINTABLE
from heritage.trails.models import Trail

FORMATS = ("png", "svg", "pdf")
SHEETS = ("A4", "A3")
PREVIEW_WIDTH_PX = 480  # a phone screen's width at 2x: sharp enough to check, a few kB to load
CODES_IN_AUDIT = 50  # a batch's codes listed in its audit event, at most (the batch row has all)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PlaqueOrder:
    """What to print: one file per plaque, or (with `sheet`) one PDF of many plaques per page."""

    format: str
    size: PlaqueSize
    sheet: str | None = None
    error_correction: str = "H"
    logo: bytes | None = None

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise PlaqueError(f"Format must be one of {', '.join(FORMATS)}.")
        if self.sheet is not None and self.sheet not in SHEETS:
            raise PlaqueError(f"Sheet must be one of {', '.join(SHEETS)}.")
        if self.sheet is not None and self.format != "pdf":
            raise PlaqueError("Batch sheets are PDF only: use --format pdf with --sheet.")
        if self.sheet is not None and self.logo is not None:
            raise PlaqueError("Logos are for single plaques; print sheets without a logo.")


@dataclass(frozen=True)
class PlaqueFile:
    filename: str
    data: bytes
    codes: tuple[str, ...]


def select_sites(
    session: Session,
    codes: list[str] | tuple[str, ...] = (),
    *,
    all_sites: bool = False,
    district: str | None = None,
    kind: str | None = None,
) -> list[Site]:
    """Sites by code, or all / a district / a kind (archived sites only when named by code)."""
    if not (codes or all_sites or district or kind):
        raise PlaqueError("Say which plaques: give codes, or --all, --district or --kind.")
    stmt = select(Site).options(selectinload(Site.texts)).order_by(Site.district, Site.slug)
    if codes:
        wanted = [normalise_code(c) for c in codes]
        bad = [c for c, n in zip(codes, wanted, strict=True) if n is None]
        if bad:
            raise PlaqueError(f"Not a plaque code: {', '.join(bad)}.")
        sites = {s.plaque_code: s for s in session.scalars(stmt.where(Site.plaque_code.in_(wanted)))}
        unknown = [c for c in wanted if c not in sites]
        if unknown:
            raise PlaqueError(f"No site has the code {', '.join(unknown)}.")
        return [sites[c] for c in dict.fromkeys(wanted)]
    stmt = stmt.where(Site.state.in_(PRINTABLE))
    if district:
        stmt = stmt.where(Site.district == district)
    if kind:
        try:
            stmt = stmt.where(Site.kind == SiteKind(kind))
        except ValueError:
            raise PlaqueError(f"Kind must be one of {', '.join(k.value for k in SiteKind)}.") from None
    sites = list(session.scalars(stmt))
    if not sites:
        raise PlaqueError("No site matches that selection.")
    return sites


def extra_names(site: Site, languages=("zh",)) -> tuple[tuple[str, str], ...]:
    """Names printed under vi/en: the configured languages (PLAQUE_EXTRA_NAME_LANGUAGES) the
    site has a name in; a border marker always shows its Chinese name, read across the border."""
    wanted = [lang for lang in EXTRA_NAME_LANGUAGES if lang in languages]
    if site.kind == SiteKind.border_marker and "zh" not in wanted:
        wanted.insert(0, "zh")
    texts = [(lang, site.texts.get(lang)) for lang in wanted]
    return tuple((lang, text.name) for lang, text in texts if text is not None and text.name)


def content_for(
    site: Site, base_url: str, default_unit: str, error_correction: str = "H", extra_languages=("zh",)
) -> PlaqueContent:
    vi = site.texts.get("vi") or next(iter(site.texts.values()))
    en = site.texts.get("en")
    return make_content(
        base_url,
        site.plaque_code,
        site.kind.value,
        name_vi=vi.name,
        name_en=en.name if en else "",
        managing_unit=site.unit.name if site.unit else default_unit,
        error_correction=error_correction,
        extra_names=extra_names(site, extra_languages),
    )


def unprintable(sites: list[Site]) -> list[Site]:
    """The sites that get no new plaque (archived): the back office refuses a print naming any."""
    return [site for site in sites if site.state not in PRINTABLE]


def preview_png(
    site: Site, size: PlaqueSize, *, base_url: str, default_unit: str, extra_languages=("zh",)
) -> bytes:
    """A small PNG of the plaque as it will print, for a screen: not verified and not recorded
    (the download is both), so opening a site page costs no print record."""
    from heritage.plaques.render_png import render_png

    dpi = max(72, min(300, round(PREVIEW_WIDTH_PX * 25.4 / size.page_width_mm)))  # the renderer's range
    return render_png(content_for(site, base_url, default_unit, "H", extra_languages), size, dpi=dpi)


def select_trails(session: Session, slugs: list[str] | tuple[str, ...]) -> list[Trail]:
    """Trails by slug, for their own plaques (a draft's too: its plaque is made before opening)."""
    found = {
        t.slug: t
        for t in session.scalars(
            select(Trail).options(selectinload(Trail.texts)).where(Trail.slug.in_(slugs))
        )
    }
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise PlaqueError(f"No trail has the slug {', '.join(unknown)}.")
    return [found[slug] for slug in dict.fromkeys(slugs)]


def trail_content(
    trail: Trail, base_url: str, default_unit: str, error_correction: str = "H", extra_languages=("zh",)
) -> PlaqueContent:
    """A trail's plaque: the trail's names, its code, the trail design; scanning opens its page."""
    if not trail.plaque_code:
        raise PlaqueError(f"The trail {trail.slug} has no plaque code yet.")
    vi = trail.texts.get("vi") or next(iter(trail.texts.values()))
    en = trail.texts.get("en")
    wanted = [lang for lang in EXTRA_NAME_LANGUAGES if lang in extra_languages and lang in trail.texts]
    return make_content(
        base_url,
        trail.plaque_code,
        "trail",
        name_vi=vi.name,
        name_en=en.name if en else "",
        managing_unit=default_unit,
        error_correction=error_correction,
        extra_names=tuple((lang, trail.texts[lang].name) for lang in wanted),
    )


def published_sites(session: Session) -> list[Site]:
    """Every published site, the plaques `--check` weathers when no selection is given."""
    stmt = select(Site).options(selectinload(Site.texts)).order_by(Site.district, Site.slug)
    sites = list(session.scalars(stmt.where(Site.state.in_(LISTED))))
    if not sites:
        raise PlaqueError("No published site yet: load the demo (flask heritage load-demo) or publish one.")
    return sites


def render_one(content: PlaqueContent, order: PlaqueOrder) -> bytes:
    """Render and verify one plaque; raises PlaqueError instead of returning a bad plaque."""
    from heritage.plaques.render_pdf import render_pdf
    from heritage.plaques.render_png import render_png
    from heritage.plaques.render_svg import render_svg
    from heritage.plaques.verify import verified

    renderers = {"png": render_png, "svg": render_svg, "pdf": render_pdf}
    data = renderers[order.format](content, order.size, logo=order.logo)
    verified(data, content.url, logo=order.logo is not None, ec_level=order.error_correction)
    return data.encode("utf-8") if isinstance(data, str) else data


def produce(
    session: Session,
    sites: list[Site],
    order: PlaqueOrder,
    *,
    created_by: str,
    base_url: str,
    default_unit: str,
    progress: Progress | None = None,
    extra_languages=("zh",),
    printed_by: User | None = None,
) -> tuple[list[PlaqueFile], PrintBatch]:
    """Every plaque rendered and verified, then the batch recorded and audited (by `printed_by`,
    or the command line when None); the caller commits."""
    contents = [
        content_for(s, base_url, default_unit, order.error_correction, extra_languages) for s in sites
    ]
    printed = [(content, site.id, site.slug) for site, content in zip(sites, contents, strict=True)]
    return _produce(
        session,
        printed,
        order,
        created_by=created_by,
        base_url=base_url,
        progress=progress,
        printed_by=printed_by,
    )


def produce_trails(
    session: Session,
    trails: list[Trail],
    order: PlaqueOrder,
    *,
    created_by: str,
    base_url: str,
    default_unit: str,
    progress: Progress | None = None,
    extra_languages=("zh",),
    printed_by: User | None = None,
) -> tuple[list[PlaqueFile], PrintBatch]:
    """The trails' own plaques, rendered, verified and recorded like the sites' (by `printed_by`)."""
    printed = [
        (trail_content(t, base_url, default_unit, order.error_correction, extra_languages), None, t.slug)
        for t in trails
    ]
    return _produce(
        session,
        printed,
        order,
        created_by=created_by,
        base_url=base_url,
        progress=progress,
        printed_by=printed_by,
    )


def _produce(
    session: Session,
    printed: list[tuple[PlaqueContent, int | None, str]],
    order: PlaqueOrder,
    *,
    created_by: str,
    base_url: str,
    progress: Progress | None,
    printed_by: User | None = None,
) -> tuple[list[PlaqueFile], PrintBatch]:
    """(content, site id or None, slug) per plaque: files, then the batch recorded."""
    contents = [content for content, _site_id, _slug in printed]
    files: list[PlaqueFile] = []
    if order.sheet:
        from heritage.plaques.sheets import render_sheet_pdf
        from heritage.plaques.verify import verify_sheet_pdf

        data = render_sheet_pdf(contents, order.size, order.sheet, progress=progress)
        verify_sheet_pdf(data, [c.url for c in contents])
        name = f"plaques-{order.size.name}-{order.sheet}-{len(contents)}.pdf"
        files.append(PlaqueFile(name, data, tuple(c.code for c in contents)))
    else:
        for done, (content, _site_id, slug) in enumerate(printed, start=1):
            data = render_one(content, order)
            files.append(PlaqueFile(f"{content.code}-{slug}.{order.format}", data, (content.code,)))
            if progress:
                progress(done, len(contents))
    site_ids = [site_id for _content, site_id, _slug in printed]
    batch = record_batch(
        session, site_ids, contents, order, created_by=created_by, base_url=base_url, printed_by=printed_by
    )
    return files, batch


def record_batch(
    session: Session,
    site_ids: list[int | None],
    contents: list[PlaqueContent],
    order: PlaqueOrder,
    *,
    created_by: str,
    base_url: str,
    printed_by: User | None = None,
) -> PrintBatch:
    batch = PrintBatch(
        created_by=created_by[:120],
        printed_by=printed_by,
        format=order.format,
        size=order.size.name,
        width_mm=order.size.width_mm,
        height_mm=order.size.height_mm,
        sheet=order.sheet,
        error_correction=order.error_correction,
        bleed_mm=order.size.bleed_mm,
        crop_marks=order.size.crop_marks,
        base_url=base_url,
        items=[
            # A trail's plaque has no site: its code alone names it.
            PrintBatchItem(code=c.code, site_id=site_id, url=c.url)
            for site_id, c in zip(site_ids, contents, strict=True)
        ],
    )
    session.add(batch)
    session.flush()
    codes = [c.code for c in contents]
    record(
        session,
        AuditAction.plaques_printed,
        printed_by,
        batch,
        plaques=len(codes),
        format=order.format,
        size=order.size.name,
        sheet=order.sheet,
        codes=codes[:CODES_IN_AUDIT],
    )
    return batch


def plaque_history(
    session: Session, code: str, limit: int | None = None
) -> list[tuple[PrintBatch, PrintBatchItem]]:
    """Every print of a code, newest first: what editors check before ordering a replacement."""
    stmt = (
        select(PrintBatch, PrintBatchItem)
        .join(PrintBatchItem.batch)
        .where(PrintBatchItem.code == code)
        .order_by(PrintBatch.created_at.desc(), PrintBatch.id.desc())
        .limit(limit)
    )
    return [(batch, item) for batch, item in session.execute(stmt)]


def site_print_history(session: Session, site: Site, limit: int = 20) -> list[PrintBatch]:
    """The batches that printed this site's code, newest first: shown on its back-office page."""
    return [batch for batch, _item in plaque_history(session, site.plaque_code, limit)]
