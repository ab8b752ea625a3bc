from . import log_redaction
from . import document_download
from . import archive
from . import signing
from . import download
from . import my_portal
