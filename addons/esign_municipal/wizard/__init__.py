from . import esign_cancel_wizard
from . import esign_decline_wizard
from . import esign_approve_wizard
from . import esign_template_apply_wizard
from . import esign_purchase_wizard
