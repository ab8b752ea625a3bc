import datetime

from odoo import fields, models

from ..engine import pki as pki_mod


class EsignDemoPki(models.Model):
    """The DEMO - UNTRUSTED PKI of a company: enough to rebuild engine/pki.py's PKI
    (certificates here, CA / OCSP / TSA keys sealed in their certificate.key) and so
    to produce its CRLs and OCSP answers later, e.g. for the demo's long-term
    validation data. Never used with a real CA."""
    _name = 'esign.demo.pki'
    _description = 'Demo PKI (untrusted)'
    _check_company_auto = True

    name = fields.Char(string='Name', required=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one('res.company', required=True, ondelete='cascade')
    base_url = fields.Char(string='Revocation data URL',
                           help='Where the certificates say the CRLs and the OCSP responder are served')
    root_certificate_id = fields.Many2one('certificate.certificate', string='Root CA certificate', required=True,
                                          check_company=True)
    issuing_certificate_id = fields.Many2one('certificate.certificate', string='Issuing CA certificate',
                                             required=True, check_company=True)
    ocsp_certificate_id = fields.Many2one('certificate.certificate', string='OCSP responder certificate',
                                          required=True, check_company=True)
    tsa_certificate_id = fields.Many2one('certificate.certificate', string='Timestamp authority certificate',
                                         required=True, check_company=True)
    witness_key_id = fields.Many2one('esign.witness.key', string='Witness key', required=True, check_company=True)
    issued_certificate_ids = fields.Many2many('certificate.certificate', 'esign_demo_pki_issued_rel', 'demo_pki_id',
                                              'certificate_id', string='Certificates issued later')
    revocations = fields.Json(string='Revocations',
                              help='Serial number -> revocation time (ISO 8601), for CRLs and OCSP')

    def _issued(self, certificate, with_key=True):
        custody = self.env['esign.key.custody']
        key = certificate.private_key_id
        return pki_mod.Issued(custody._load_certificate(certificate),
                              key._esign_unseal() if with_key and key else None)

    def _to_pki(self):
        self.ensure_one()
        witness_certificate = self.witness_key_id.certificate_id
        return pki_mod.PKI(
            root=self._issued(self.root_certificate_id),
            issuing_ca=self._issued(self.issuing_certificate_id),
            witness=self._issued(witness_certificate),
            tsa=self._issued(self.tsa_certificate_id),
            ocsp_responder=self._issued(self.ocsp_certificate_id),
            base_url=self.base_url or None,
            revoked={int(serial): datetime.datetime.fromisoformat(when)
                     for serial, when in (self.revocations or {}).items()},
            extra_issued=[self._issued(certificate, with_key=False) for certificate in self.issued_certificate_ids],
        )

    def _issue_from_csr(self, csr_der):
        """The demo issuing CA certifies a CSR (e.g. of a key generated in the HSM); OCSP will answer for it."""
        self.ensure_one()
        issued = self._to_pki().issue_from_csr(csr_der)
        custody = self.env['esign.key.custody']
        record = custody._certificate_record(self.company_id, issued.cert,
                                             f'{pki_mod.DEMO_LABEL}: {issued.cert.subject.rfc4514_string()}')
        self.issued_certificate_ids = [fields.Command.link(record.id)]
        return issued
