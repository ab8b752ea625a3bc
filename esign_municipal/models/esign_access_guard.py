import functools

from odoo import models
from odoo.exceptions import AccessError

from .staff_access_messages import IP_REFUSED, MFA_REQUIRED, bilingual

# Every model of the e-contract suite is named 'esign.*' (envelopes,
# documents, signers, the archive, the logs, TSAs and key custody alike).
# Keying the guard on the name, in the one access check every ORM path goes
# through, covers the models other parts add later without them doing
# anything, and cannot be forgotten the way a mixin can.
ESIGN_MODEL_PREFIX = 'esign.'


class Base(models.AbstractModel):
    _inherit = 'base'

    def _check_access(self, operation):
        """Staff refused by the MFA or IP policy reach no e-contract record,
        whatever the way in (web client, JSON-RPC, XML-RPC). sudo() code,
        such as the token-based signing pages, is not concerned: Odoo does
        not call this method for the superuser."""
        result = super()._check_access(operation)
        if result is not None or not self._name.startswith(ESIGN_MODEL_PREFIX):
            return result
        reason = self.env.user._esign_session_refusal()
        if reason is None:
            return None
        return self, functools.partial(self.env['esign.access.refusal']._esign_access_error, reason, self._name)
