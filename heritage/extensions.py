"""Extensions created once here and bound to an app in `create_app`."""

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from heritage.db import Database

db = Database()
babel = Babel()
csrf = CSRFProtect()
# No default limits: each limited route says its own; storage from RATELIMIT_STORAGE_URI.
limiter = Limiter(key_func=get_remote_address, headers_enabled=False)
