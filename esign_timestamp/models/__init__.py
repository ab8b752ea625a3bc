from . import esign_tsa
from . import esign_timestamp_token
from . import res_config_settings
