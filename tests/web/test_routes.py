"""Every route is accounted for: public reads, or (once the back office exists) protected writes.

A new route that changes data fails here until it is added to the protection tests: a forgotten
check is caught by a test, not by an attacker.
"""

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# endpoint -> why anonymous visitors may use it. Writes only through a listed, tested exception.
PUBLIC = {
    "static": "files under static/",
    "visitor.home": "redirect to the visitor's language",
    "visitor.robots": "robots.txt",
    "seo.sitemap": "sitemap for search engines (listed sites only)",
    "seo.sitemap_page": "sitemap for search engines (listed sites only)",
    "visitor.healthz": "load balancer health check",
    "ops.readyz": "readiness check (names each dependency, no secrets)",
    "ops.metrics_view": "Prometheus metrics (404 unless from METRICS_ALLOW, never via the proxy)",
    "visitor.choose_language": "language switcher (sets a preference cookie only)",
    "visitor.scan": "the printed plaque URL (records an anonymous scan)",
    "visitor.site_list": "visitor pages",
    "visitor.site_page": "visitor pages",
    "api.list_sites": "public read API",
    "api.get_site": "public read API",
    "api.openapi": "API description",
    "media.serve": "photos and recordings of public sites (immutable URLs)",
    "media.scene_tile_file": "360° tiles of public sites, at the paths Pannellum builds (immutable)",
    "media.scene_tile_from": "the same tiles, placeholders below the level the screen draws (immutable)",
    "api.map_sites": "public read API (the map's markers)",
    "api.nearby_sites": "public read API (nothing stored from the coordinates)",
    "maps.map_page": "visitor pages",
    "maps.nearby_page": "visitor pages (the position is not stored)",
    "trails.trail_list": "visitor pages",
    "trails.trail_page": "visitor pages",
    "api.queued_scan": "a scan queued offline (anonymous, Origin-checked, counted once per id)",
    "offline.service_worker": "the service worker script",
    "offline.offline_page": "the page shown offline for pages never saved",
    "offline.manifest": "web app manifest",
    "offline_packs.trail_pack": "public read API (what saving a trail for offline downloads)",
    "offline_packs.district_pack": "public read API (what saving a district for offline downloads)",
}
# The back office: every one of its routes is walked by tests/web/admin/test_protection.py
# (anonymous -> login, wrong role -> 403, CSRF on every write).
PROTECTED = "admin."
# Anonymous writes, each with its own tests (tests/web/test_queued_scans.py).
ANONYMOUS_WRITES = {"/api/v1/scans"}


def test_every_route_is_a_known_public_read(app):
    unknown, writes = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith(PROTECTED):
            continue
        if rule.endpoint not in PUBLIC:
            unknown.append(rule.rule)
        if set(rule.methods) - SAFE_METHODS and rule.rule not in ANONYMOUS_WRITES:
            writes.append(rule.rule)
    assert unknown == [], f"routes without a protection decision: {unknown}"
    assert writes == [], f"routes that accept writes need login, role and CSRF tests: {writes}"


def test_admin_paths_send_anonymous_users_to_login(client):
    assert client.get("/admin/").headers["Location"].startswith("/admin/login")
    assert client.get("/admin/plaques").status_code == 404
