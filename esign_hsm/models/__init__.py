from . import certificate_key
from . import res_company
from . import res_config_settings
from . import esign_key_custody
from . import esign_witness_key
from . import esign_demo_pki
from . import esign_vault_blob
from . import ir_attachment
