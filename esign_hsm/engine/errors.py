"""The one exception type of the custody engine.

Every failure carries a stable `code` (the Odoo layer maps it to a translated
sentence for the clerk) and an English message for logs and tracebacks.
Messages never contain a PIN, a key or a passphrase: only labels and paths.
"""


class CustodyError(Exception):
    """code: one of CODES. details: safe-to-show values (labels, paths) for the message."""

    CODES = frozenset({
        # key-encryption key (KEK) and encrypted storage
        'kek_not_configured', 'kek_file_missing', 'kek_file_unreadable', 'kek_file_invalid',
        'kek_mismatch', 'wrong_kek', 'tampered',
        # PKCS#11 module, token and keys
        'module_missing', 'module_not_allowed', 'module_in_data_dir', 'module_invalid', 'module_conflict',
        'token_absent', 'token_ambiguous', 'pin_missing', 'wrong_pin', 'pin_locked',
        'key_not_found', 'key_ambiguous', 'key_exists', 'unsupported_key_type', 'hsm_failure',
        # certificates and key files
        'cert_invalid', 'cert_key_mismatch', 'pkcs12_invalid',
    })

    def __init__(self, code, message, **details):
        assert code in self.CODES, code
        super().__init__(message)
        self.code = code
        self.details = details
