from . import document_download
