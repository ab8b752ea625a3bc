from . import esign_pkcs12_import
from . import esign_certificate_import
