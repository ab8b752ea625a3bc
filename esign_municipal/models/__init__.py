# Shared behaviour first: Odoo builds each model from the ones it inherits,
# so a mixin must be loaded before the models that use it.
from . import esign_flow_fields_mixin
from . import esign_archive_lock_mixin
from . import esign_append_only_mixin
from . import esign_settings_audit_mixin
from . import esign_envelope_content_mixin
from . import esign_field_layout_mixin

# Settings, contract types and the configuration of other addons (logged).
from . import res_config_settings
from . import esign_contract_type
from . import esign_tsa_audit
from . import esign_witness_key_audit

# Templates an envelope starts from.
from . import esign_template
from . import esign_template_role
from . import esign_template_document
from . import esign_template_field

# The envelope and what it holds.
from . import esign_envelope
from . import esign_document
from . import esign_field
from . import esign_signer
from . import purchase_order

# How a signer gets in: link tokens, one-time codes, the portal's rate limits.
from . import esign_access_token
from . import esign_signer_otp
from . import esign_portal_throttle

# The contract archive (電子帳簿保存法).
from . import esign_contract
from . import esign_contract_document
from . import esign_contract_correction
from . import esign_vault_blob_lock
from . import esign_signature_verifier
from . import esign_public_verification_count
from . import esign_archive_csv

# Logs.
from . import esign_operation_log
from . import esign_access_refusal

# Extensions of Odoo's own models: staff access, attachments, reports, mail.
from . import esign_access_guard
from . import ir_http
from . import ir_ui_menu
from . import res_users
from . import res_partner
from . import ir_attachment
from . import ir_actions_report
from . import ir_module_module
from . import mail_mail

# Demo data only.
from . import esign_demo_builder
