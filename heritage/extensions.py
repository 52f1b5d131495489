"""Extensions created once here and bound to an app in `create_app`."""

from flask_babel import Babel
from flask_wtf.csrf import CSRFProtect

from heritage.db import Database

db = Database()
babel = Babel()
csrf = CSRFProtect()
