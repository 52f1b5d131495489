"""Sign in, sign out, set a password from a one-time link, change one's password.

Failed sign-ins are limited per account and per client address (Flask-Limiter, storage from
RATELIMIT_STORAGE_URI); only failures count, so a person who types well is never held up.
"""

from __future__ import annotations

from flask import current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from limits import parse as parse_limit

from heritage.accounts.audit import AuditAction, record
from heritage.accounts.models import Role
from heritage.accounts.services import (
    authenticate,
    change_password,
    normalise_email,
    set_password_with_token,
    token_user,
)
from heritage.errors import ValidationError
from heritage.extensions import db, limiter
from heritage.web.admin import bp
from heritage.web.admin.forms import ChangePasswordForm, LoginForm, NewPasswordForm
from heritage.web.admin.guard import (
    allow,
    keep_session_after_password_change,
    public,
    safe_next,
    sign_in,
    sign_out,
)


def _minutes(setting: str) -> int:
    return max(1, parse_limit(current_app.config[setting]).get_expiry() // 60)


def _account_key() -> str:
    return "account:" + normalise_email(request.form.get("email", ""))


def _sign_in_failed(_response) -> bool:
    return g.get("sign_in_failed", False)


def _account_message() -> str:
    minutes = _minutes("LOGIN_LIMIT_PER_ACCOUNT")
    return _(
        "Too many failed sign-ins for this account. Wait %(minutes)d minutes, then try again.",
        minutes=minutes,
    )


def _address_message() -> str:
    minutes = _minutes("LOGIN_LIMIT_PER_ADDRESS")
    return _(
        "Too many failed sign-ins from your network. Wait %(minutes)d minutes, then try again.",
        minutes=minutes,
    )


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"],
    methods=["POST"],
    deduct_when=_sign_in_failed,
    error_message=_address_message,
    scope="sign-in-address",
)
@limiter.limit(
    lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"],
    key_func=_account_key,
    methods=["POST"],
    deduct_when=_sign_in_failed,
    error_message=_account_message,
    scope="sign-in-account",
)
def login():
    form = LoginForm()
    next_url = safe_next(request.values.get("next"))
    if g.user is not None and request.method == "GET":
        return redirect(next_url or url_for("admin.home"))
    if form.validate_on_submit():
        user = authenticate(db.session, form.email.data, form.password.data)
        if user is not None:
            sign_in(user)
            db.session.commit()
            return redirect(next_url or url_for("admin.home"))
        g.sign_in_failed = True
        db.session.commit()  # the failed attempt stays in the audit log
        flash(_("The email or the password is not right."), "error")
        return render_template("admin/login.html", form=form, next_url=next_url), 401
    status = 400 if form.errors else 200
    return render_template("admin/login.html", form=form, next_url=next_url), status


@bp.post("/logout")
@allow(Role.volunteer)
def logout():
    record(db.session, AuditAction.sign_out, g.user, g.user)
    db.session.commit()
    sign_out()
    flash(_("You are signed out."), "info")
    return redirect(url_for("admin.login"))


@bp.route("/set-password/<token>", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], scope="set-password")
def set_password(token: str):
    user = token_user(db.session, token)
    if user is None:
        message = _("This link has expired or was already used. Ask an admin for a new one.")
        return render_template("admin/link_invalid.html", message=message), 410
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            user = set_password_with_token(db.session, token, form.password.data)
        except ValidationError as error:
            db.session.rollback()
            form.password.errors.append(str(error.message))
        else:
            sign_in(user)
            db.session.commit()
            flash(_("Your password is set. Welcome!"), "info")
            return redirect(url_for("admin.home"))
    status = 400 if form.errors else 200
    return render_template("admin/set_password.html", form=form, email=user.email), status


@bp.route("/password", methods=["GET", "POST"])
@allow(Role.volunteer)
def password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            change_password(db.session, g.user, form.current_password.data, form.password.data)
        except ValidationError as error:
            db.session.rollback()
            field = form.current_password if error.field == "current_password" else form.password
            field.errors.append(str(error.message))
        else:
            keep_session_after_password_change(g.user)
            db.session.commit()
            flash(_("Password changed. Every other session has been signed out."), "info")
            return redirect(url_for("admin.home"))
    status = 400 if form.errors else 200
    return render_template("admin/password.html", form=form), status
