from . import esign_timestamp_verify
