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
}


def test_every_route_is_a_known_public_read(app):
    unknown, writes = [], []
    for rule in app.url_map.iter_rules():
        if rule.endpoint not in PUBLIC:
            unknown.append(rule.rule)
        if set(rule.methods) - SAFE_METHODS:
            writes.append(rule.rule)
    assert unknown == [], f"routes without a protection decision: {unknown}"
    assert writes == [], f"routes that accept writes need login, role and CSRF tests: {writes}"


def test_admin_paths_do_not_exist_anonymously(client):
    for path in ("/admin", "/admin/", "/admin/plaques"):
        assert client.get(path).status_code == 404
