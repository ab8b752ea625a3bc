"""Exceptions of the PDF engine: each carries a stable `code` and an English
message; the Odoo layer maps codes to sentences a clerk understands."""


class EngineError(Exception):
    code = 'error'

    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


class PdfRejected(EngineError):
    """The PDF cannot be prepared for signing (see pdf_prepare.REJECTIONS)."""


class SigningError(EngineError):
    """A signature, a fill or a finalization could not be applied; nothing was written."""
