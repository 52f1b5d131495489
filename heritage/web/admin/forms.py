"""The back office's forms (Flask-WTF: each carries its CSRF token)."""

from __future__ import annotations

from flask import request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    PasswordField,
    SelectChoice,
    SelectField,
    StringField,
)
from wtforms.validators import EqualTo, InputRequired, Length, Optional, Regexp

from heritage.accounts.models import Role, UnitKind
from heritage.accounts.passwords import PASSWORD_MAX
from heritage.web.admin.labels import ROLE_LABELS, UNIT_KIND_LABELS

_required = InputRequired(message=_l("This field is required."))


class BackOfficeForm(FlaskForm):
    """Every back-office form: filled only from what a browser's form sends.

    Flask-WTF would also fill a form from a JSON body, where a list or a number is no form data
    (WTForms fails with a 500); here a JSON post is an empty form, refused field by field.
    """

    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            if request.is_json:
                return None
            return super().wrap_formdata(form, formdata)


class LoginForm(BackOfficeForm):
    email = EmailField(_l("Email"), validators=[_required, Length(max=254)])
    password = PasswordField(_l("Password"), validators=[_required, Length(max=PASSWORD_MAX)])


class NewPasswordForm(BackOfficeForm):
    password = PasswordField(_l("New password"), validators=[_required])
    confirm = PasswordField(
        _l("New password again"),
        validators=[_required, EqualTo("password", message=_l("The two passwords differ."))],
    )


class ChangePasswordForm(NewPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[_required])


class UserForm(BackOfficeForm):
    email = EmailField(_l("Email"), validators=[_required, Length(max=254)])
    role = SelectField(
        _l("Role"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role], validators=[_required]
    )
    unit = SelectField(_l("Unit"), coerce=int, validate_choice=True)
    wide_scope = BooleanField(_l("Wide scope: may act on every unit's sites, border markers too"))


class RoleForm(BackOfficeForm):
    role = SelectField(
        _l("Role"), choices=[SelectChoice(r.value, ROLE_LABELS[r]) for r in Role], validators=[_required]
    )
    unit = SelectField(_l("Unit"), coerce=int, validate_choice=True)
    wide_scope = BooleanField(_l("Wide scope: may act on every unit's sites, border markers too"))
    active = BooleanField(_l("Active: may sign in"))


class UnitForm(BackOfficeForm):
    name = StringField(_l("Name"), validators=[_required, Length(max=200)])
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k.value, UNIT_KIND_LABELS[k]) for k in UnitKind],
        validators=[_required],
    )


class ConfirmForm(BackOfficeForm):
    """A button that only needs its CSRF token (log out, issue a new link)."""


class ImportForm(BackOfficeForm):
    file = FileField(
        _l("Spreadsheet (.xlsx or .csv)"), validators=[FileRequired(message=_l("Choose a file to check."))]
    )
    unit = SelectField(_l("Unit of rows that name none"), validate_choice=True)


class ConfirmImportForm(BackOfficeForm):
    """Names the checked file by its hash: the file itself is already on the server."""

    sha256 = HiddenField(validators=[_required, Regexp("^[0-9a-f]{64}$")])


class PhotoUploadForm(BackOfficeForm):
    # accept/capture let a phone offer its camera; the server checks the bytes whatever is sent.
    photo = FileField(_l("Photo"), validators=[FileRequired(message=_l("Choose a photo to upload."))])
    credit = StringField(_l("Credit (who took it)"), validators=[_required, Length(max=300)])
    licence = StringField(_l("Licence"), default="CC BY-SA 4.0", validators=[_required, Length(max=120)])
    alt_vi = StringField(
        _l("Alt text in Vietnamese (what a screen reader says)"), validators=[Optional(), Length(max=500)]
    )


class PhotoForm(BackOfficeForm):
    """Credit and licence; the alt text and caption per language are read by language code."""

    credit = StringField(_l("Credit (who took it)"), validators=[_required, Length(max=300)])
    licence = StringField(_l("Licence"), validators=[_required, Length(max=120)])


class NarrationUploadForm(BackOfficeForm):
    lang = SelectField(_l("Language spoken"), validators=[_required])
    recording = FileField(
        _l("Recording"), validators=[FileRequired(message=_l("Choose a recording to upload."))]
    )
    credit = StringField(_l("Credit (whose voice)"), validators=[_required, Length(max=300)])
    licence = StringField(_l("Licence"), default="CC BY-SA 4.0", validators=[_required, Length(max=120)])


class PanoramaUploadForm(BackOfficeForm):
    panorama = FileField(
        _l("360° panorama (equirectangular, 2:1)"),
        validators=[FileRequired(message=_l("Choose a panorama to upload."))],
    )
    credit = StringField(_l("Credit (who took it)"), validators=[_required, Length(max=300)])
    licence = StringField(_l("Licence"), default="CC BY-SA 4.0", validators=[_required, Length(max=120)])
    caption_vi = StringField(_l("Caption in Vietnamese"), validators=[Optional(), Length(max=1000)])
