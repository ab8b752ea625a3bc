from . import test_software_witness_key
from . import test_vault_blob
from . import test_hsm_witness_key
from . import test_hsm_faults
from . import test_settings_page
from . import test_pkcs11_module_path
from . import test_kek_scope
