"""Walk `app.url_map`: every back-office route (and every write route) refuses an anonymous user
(redirect to login) and a user of too low a role (403); never a 500, never the data.
"""

from __future__ import annotations

import pytest

from heritage.accounts.models import Role
from tests.web.admin.conftest import PASSWORD, csrf_token, sign_in
from tests.web.test_routes import ANONYMOUS_WRITES

# Views that open themselves wider than "admins only"; everything else must be admin-only.
OPEN_TO = {
    "admin.login": None,  # public
    "admin.set_password": None,  # public: the one-time token is the credential
    "admin.static": None,  # public: the stylesheet
    "admin.logout": Role.volunteer,
    "admin.password": Role.volunteer,
    "admin.home": Role.volunteer,
    "admin.site": Role.volunteer,
    "admin.import_upload": Role.editor,  # scope: rows of another unit are errors (test_bulk_pages)
    "admin.import_confirm": Role.editor,
    "admin.export": Role.editor,  # only the sites in the editor's scope
    # Sites: volunteers write drafts and send them for review; editors review, publish and rename.
    "admin.new_site": Role.volunteer,
    "admin.create_site": Role.volunteer,
    "admin.edit_site": Role.volunteer,
    "admin.site_photo": Role.volunteer,
    "admin.site_history": Role.volunteer,
    "admin.site_diff": Role.volunteer,
    "admin.revert_site": Role.volunteer,
    "admin.submit_site": Role.volunteer,
    "admin.discard_edit_site": Role.volunteer,
    "admin.approve_site": Role.editor,
    "admin.send_back_site": Role.editor,
    "admin.publish_site": Role.editor,
    "admin.archive_site": Role.editor,
    "admin.restore_site": Role.editor,
    "admin.rename_site": Role.editor,
    "admin.review_queue": Role.editor,
    "admin.plaque_preview": Role.editor,
    "admin.plaque_download": Role.editor,
    "admin.plaque_sheet": Role.editor,
    # Sheet jobs: only the editor who ordered the batch, or an admin (test_plaques).
    "admin.plaque_job": Role.editor,
    "admin.plaque_job_pdf": Role.editor,
    "admin.plaque_job_retry": Role.editor,
    "admin.plaque_job_again": Role.editor,
    "admin.scans": Role.editor,
    "admin.scans_csv": Role.editor,
    # A site's photos: volunteers and editors of its unit (scope tested in tests/media/test_admin_media.py).
    "admin.site_media": Role.volunteer,
    "admin.upload_photo": Role.volunteer,
    "admin.job": Role.volunteer,
    "admin.retry_job": Role.volunteer,
    "admin.photo": Role.volunteer,
    "admin.move": Role.volunteer,
    "admin.archive": Role.volunteer,
    "admin.photo_preview": Role.volunteer,
    "admin.upload_narration": Role.volunteer,
    "admin.media_file": Role.volunteer,
    "admin.upload_panorama": Role.volunteer,
    # A site's 360° walk-through: editors of its unit (scope tested in tests/media/test_tours.py).
    "admin.scene": Role.editor,
    "admin.add_scene_hotspot": Role.editor,
    "admin.scene_hotspot": Role.editor,
    "admin.delete_scene_hotspot": Role.editor,
    "admin.move_scene_view": Role.editor,
    "admin.scene_editor_tile": Role.editor,
    "admin.upload_scene_narration": Role.editor,
    # Trails: editors; the stops they add are checked against their scope (tests/web/admin/test_trail_admin.py).
    "admin.trails": Role.editor,
    "admin.new_trail": Role.editor,
    "admin.trail": Role.editor,
    "admin.move_trail_stop": Role.editor,
    "admin.trail_state": Role.editor,
    "admin.trail_plaque": Role.editor,
}
SAFE = {"GET", "HEAD", "OPTIONS"}


def _example_path(rule) -> str:
    values = {
        name: 1 if "int" in str(type(rule._converters[name])).lower() else "x" for name in rule.arguments
    }
    if rule.endpoint == "admin.static":
        values["filename"] = "admin.css"
    return rule.build(values)[1]


def _routes(app):
    for rule in app.url_map.iter_rules():
        methods = sorted(set(rule.methods) - {"HEAD", "OPTIONS"})
        # The few anonymous writes (an offline scan) are listed, and tested, in test_routes.
        if rule.rule in ANONYMOUS_WRITES:
            continue
        if rule.rule.startswith("/admin") or set(methods) - SAFE:
            for method in methods:
                yield rule, method


def test_every_admin_route_has_a_declared_decision(app):
    endpoints = {rule.endpoint for rule, _m in _routes(app)}
    assert (
        endpoints
        - set(OPEN_TO)
        - {
            "admin.users",
            "admin.new_user",
            "admin.user",
            "admin.user_link",
            "admin.units",
            "admin.audit",
        }
        == set()
    ), "a new back-office route: decide who may use it and add it here"


def test_anonymous_users_are_sent_to_login_everywhere(app, client):
    # A valid CSRF token (from the login page), so writes reach the login check itself.
    token = csrf_token(client, "/admin/login")
    for rule, method in _routes(app):
        if OPEN_TO.get(rule.endpoint, Role.admin) is None:
            continue
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(_example_path(rule), method=method, data=data)
        assert response.status_code == 302, (rule.rule, method, response.status_code)
        assert response.headers["Location"].startswith("/admin/login"), rule.rule
        # Without a token a write is refused even earlier, by the CSRF check; never a 500.
        if method == "POST":
            assert client.post(_example_path(rule)).status_code == 400, rule.rule


@pytest.mark.parametrize("role", ["volunteer", "editor"])
def test_too_low_a_role_gets_403_on_every_admin_only_route(app, client, make_user, role):
    user = make_user(role=role)
    sign_in(client, user, PASSWORD)
    # A real token for this session, so POSTs reach the role check and not only the CSRF check.
    with client.session_transaction() as state:
        assert state.get("user_id") == user.id
    token = _token(client)
    for rule, method in _routes(app):
        needed = OPEN_TO.get(rule.endpoint, Role.admin)
        if needed is None or Role(role).at_least(needed) or not rule.rule.startswith("/admin"):
            continue
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(_example_path(rule), method=method, data=data)
        assert response.status_code == 403, (role, rule.rule, method, response.status_code)
        assert "@example.org" not in response.get_data(as_text=True).replace(user.email, "")


def test_admins_reach_every_admin_route_without_a_server_error(app, client, make_user):
    admin = make_user(role="admin")
    sign_in(client, admin, PASSWORD)
    token = _token(client)
    for rule, method in _routes(app):
        if rule.endpoint in ("admin.logout",) or not rule.rule.startswith("/admin"):
            continue
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(_example_path(rule), method=method, data=data)
        assert response.status_code < 500, (rule.rule, method, response.status_code)


def _token(client) -> str:
    return csrf_token(client, "/admin/password")


def test_another_units_site_id_is_a_403_on_every_site_route(app, client, make_user, make_unit, make_site):
    """Every route that takes a site id applies the unit scope: an editor (who passes every role
    check a site route has) of another unit gets a 403 and not a word of the site."""
    elsewhere = make_unit("Đồn Biên phòng Hoành Mô", "border_guard")
    site = make_site("Đình Bí Mật", state="in_review", unit_id=elsewhere.id)
    sign_in(client, make_user(role="editor"), PASSWORD)
    token = _token(client)
    walked = set()
    for rule, method in _routes(app):
        if "site_id" not in rule.arguments:
            continue
        path = rule.build({name: site.id if name == "site_id" else 1 for name in rule.arguments})[1]
        data = {"csrf_token": token, "version": 1, "comment": "x", "slug": "x"} if method == "POST" else None
        response = client.open(path, method=method, data=data)
        body = response.get_data(as_text=True)
        assert response.status_code == 403, (rule.rule, method, response.status_code)
        assert "Đình Bí Mật" not in body and site.plaque_code not in body, rule.rule
        walked.add(rule.endpoint)
    assert len(walked) >= 12, walked
