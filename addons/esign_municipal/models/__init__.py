from . import res_config_settings
from . import esign_access_refusal
from . import esign_access_guard
from . import ir_http
from . import ir_ui_menu
from . import res_config_settings_security
from . import res_users
