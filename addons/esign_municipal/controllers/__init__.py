from . import document_download
from . import archive
