"""Admin-only pages: accounts, units and the audit log. Each calls the account services."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from heritage.accounts.audit import recent_events
from heritage.accounts.links import new_set_password_url
from heritage.accounts.models import Unit, User
from heritage.accounts.services import create_unit, create_user, list_units, list_users, set_active, set_role
from heritage.errors import ValidationError
from heritage.extensions import db
from heritage.web.admin import bp
from heritage.web.admin.forms import ConfirmForm, RoleForm, UnitForm, UserForm
from heritage.web.numbers import db_int

AUDIT_PAGE = 50


def _unit_choices(form) -> None:
    units = [SelectChoice(unit.id, unit.name) for unit in list_units(db.session)]
    form.unit.choices = [SelectChoice(0, _("No unit")), *units]


def _apply_errors(form, error: ValidationError) -> None:
    db.session.rollback()
    # The message goes beside its field, or the form's first field when it names none.
    first = next(f for f in form if f.name != "csrf_token")
    field = getattr(form, error.field or "", None) or first
    field.errors = [*field.errors, str(error.message)]


@bp.get("/users")
def users():
    return render_template("admin/users.html", users=list_users(db.session))


@bp.route("/users/new", methods=["GET", "POST"])
def new_user():
    form = UserForm()
    _unit_choices(form)
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data) if form.unit.data else None
        try:
            user = create_user(
                db.session, g.user, form.email.data, form.role.data, unit, form.wide_scope.data
            )
            link = new_set_password_url(db.session, g.user, user)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            db.session.commit()
            return render_template("admin/user_created.html", user=user, link=link), 201
    status = 400 if form.errors else 200
    return render_template("admin/user_new.html", form=form), status


def _user_or_404(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    return user


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    account = _user_or_404(user_id)
    form = RoleForm(obj=None if request.method == "POST" else account)
    _unit_choices(form)
    if request.method == "GET":
        form.role.data = account.role.value
        form.unit.data = account.unit_id or 0
    if form.validate_on_submit():
        unit = db.session.get(Unit, form.unit.data) if form.unit.data else None
        try:
            set_role(db.session, g.user, account, form.role.data, form.wide_scope.data, unit)
            set_active(db.session, g.user, account, form.active.data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Saved."), "info")
            return redirect(url_for("admin.user", user_id=account.id))
    status = 400 if form.errors else 200
    return render_template("admin/user.html", account=account, form=form, link_form=ConfirmForm()), status


@bp.post("/users/<int:user_id>/link")
def user_link(user_id: int):
    account = _user_or_404(user_id)
    link = new_set_password_url(db.session, g.user, account)
    db.session.commit()
    return render_template("admin/user_created.html", user=account, link=link, again=True)


@bp.route("/units", methods=["GET", "POST"])
def units():
    form = UnitForm()
    status = 200
    if form.validate_on_submit():
        try:
            unit = create_unit(db.session, g.user, form.name.data, form.kind.data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            db.session.commit()
            flash(_("Unit “%(name)s” created.", name=unit.name), "info")
            return redirect(url_for("admin.units"))
    if form.errors:
        status = 400
    return render_template("admin/units.html", units=list_units(db.session), form=form), status


@bp.get("/audit")
def audit():
    before = request.args.get("before", type=db_int)
    events = recent_events(db.session, limit=AUDIT_PAGE, before_id=before)
    targets = {e.target_id for e in events if e.target_type == "users" and e.target_id}
    emails = {u.id: u.email for u in db.session.query(User).filter(User.id.in_(targets))} if targets else {}
    older = events[-1].id if len(events) == AUDIT_PAGE else None
    return render_template("admin/audit.html", events=events, emails=emails, older=older)
