"""Where an envelope's signatures get their timestamps and their validation data.

The timestamper is esign_timestamp's (the company's TSAs, with failover); the
trust anchors are the roots of the witness certificate chain held by
esign_hsm. Revocation data (OCSP/CRL) is fetched from the URLs in the
certificates, except for a demo PKI without a server (the demo database is
built with --stop-after-init), whose CRLs and OCSP answers are made
in-process and clearly come from the DEMO - UNTRUSTED CA.
"""
from cryptography import x509

from odoo import models

from ..engine import trust


class EsignEnvelope(models.Model):
    _inherit = 'esign.envelope'

    def _esign_timestamper(self):
        """A pyHanko TimeStamper over the company's TSAs (esign_timestamp, with
        failover); every token it obtains is recorded against this envelope."""
        self.ensure_one()
        return self.env['esign.tsa']._get_timestamper(
            self.company_id, res_model=self._name, res_id=self.id, description=self.display_name)

    def _esign_validation_context(self):
        """The pyHanko ValidationContext used to embed LTV data at finalization."""
        self.ensure_one()
        custody = self.env['esign.key.custody'].sudo()
        key = custody._active_witness_key(self.company_id)
        chain = [custody._load_certificate(record) for record in key.chain_certificate_ids]
        roots = [cert for cert in chain if cert.issuer == cert.subject]
        intermediates = [cert for cert in chain if cert.issuer != cert.subject]
        roots += self._esign_tsa_trust_roots()
        demo = self.env['esign.demo.pki'].sudo().search(
            [('company_id', '=', self.company_id.id), ('witness_key_id', '=', key.id)], limit=1)
        if demo and not demo.base_url:
            revocation = demo._revocation_data()
            return trust.validation_context(roots, intermediates=intermediates, crls=revocation['crls'],
                                            ocsps=revocation['ocsps'], allow_fetching=False)
        return trust.validation_context(roots, intermediates=intermediates)

    def _esign_tsa_trust_roots(self):
        """Roots the company's TSAs chain to (an accredited TSA has its own CA)."""
        tsas = self.env['esign.tsa'].sudo().search([('company_id', 'in', [False, self.company_id.id])])
        return [cert for pem in tsas.mapped('trust_roots_pem') if pem and pem.strip()
                for cert in x509.load_pem_x509_certificates(pem.encode())]
