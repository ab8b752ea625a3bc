"""The DEMO - UNTRUSTED PKI of a company, for the demo database only."""
import datetime
import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)
DEMO_LABEL = 'DEMO - UNTRUSTED'


def _demo_pki_module():
    """esign_hsm/testing/pki.py, imported only when a demo PKI is used: a
    database without demo data never loads the testing package."""
    from ..testing import pki
    return pki


class EsignDemoPki(models.Model):
    """Enough to rebuild testing/pki.py's PKI (certificates here, CA / OCSP / TSA
    keys sealed in their certificate.key) and so to produce its CRLs and OCSP
    answers later, e.g. for the demo's long-term validation data. Never used
    with a real CA."""
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

    # -- installing and loading -------------------------------------------------------

    @api.model
    def _install_demo_pki(self, company, pki):
        """Store a demo PKI (testing/pki.py) for company: its witness key becomes the active software key,
        and the CA, OCSP responder and TSA certificates with their sealed keys are kept, so that its CRLs and
        OCSP answers can be produced later (_load_demo_pki). Everything is named DEMO - UNTRUSTED."""
        custody = self.env['esign.key.custody']

        def stored(issued, role):
            return custody._certificate_record(company, issued.cert, f'{DEMO_LABEL}: {role}',
                                               private_key=issued.key)

        root, issuing = stored(pki.root, 'root CA'), stored(pki.issuing_ca, 'issuing CA')
        witness = custody._software_witness_key(
            company, pki.witness.key, pki.witness.cert, [pki.issuing_ca.cert, pki.root.cert],
            f'{DEMO_LABEL}: witness signing', is_demo=True)
        Demo = self.sudo()
        Demo.search([('company_id', '=', company.id)]).active = False
        demo = Demo.create({
            'name': f'{DEMO_LABEL} ({company.name})',
            'company_id': company.id,
            'base_url': pki.base_url,
            'root_certificate_id': root.id,
            'issuing_certificate_id': issuing.id,
            'ocsp_certificate_id': stored(pki.ocsp_responder, 'OCSP responder').id,
            'tsa_certificate_id': stored(pki.tsa, 'timestamp authority').id,
            'witness_key_id': witness.id,
            'issued_certificate_ids': [fields.Command.set([
                custody._certificate_record(company, issued.cert,
                                            f'{DEMO_LABEL}: {issued.cert.serial_number}').id
                for issued in pki.extra_issued])],
            'revocations': {str(serial): when.isoformat() for serial, when in pki.revoked.items()},
        })
        witness._activate()
        _logger.info('demo PKI (%s) installed for company %s', DEMO_LABEL, company.id)
        return demo

    @api.model
    def _install_default_demo_pki(self):
        """Demo data: a demo PKI for the main company, unless it already has a witness key."""
        company = self.env.ref('base.main_company')
        if not self.env['esign.witness.key'].sudo().search_count([('company_id', '=', company.id)]):
            self._install_demo_pki(company, _demo_pki_module().build_pki())

    @api.model
    def _for_company(self, company):
        """The company's active demo PKI, or a clear error when it has none."""
        demo = self.sudo().search([('company_id', '=', company.id)], limit=1)
        if not demo:
            raise UserError(self.env._('%s has no demo PKI.', company.name))
        return demo

    @api.model
    def _load_demo_pki(self, company=None):
        """The company's demo PKI as a testing.pki.PKI (keys unsealed in memory), to serve its CRL/OCSP."""
        return self._for_company(company or self.env.company)._to_pki()

    # -- what the demo PKI does ----------------------------------------------------------

    def _issued(self, certificate, with_key=True):
        custody = self.env['esign.key.custody']
        key = certificate.private_key_id
        return _demo_pki_module().Issued(custody._load_certificate(certificate),
                              key._esign_unseal() if with_key and key else None)

    def _to_pki(self):
        self.ensure_one()
        witness_certificate = self.witness_key_id.certificate_id
        return _demo_pki_module().PKI(
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

    def _revocation_data(self):
        """{'crls': [DER], 'ocsps': [DER]} made in-process, for the validation
        data of a demo PKI that no server publishes (base_url empty)."""
        self.ensure_one()
        return self._to_pki().revocation_data()

    def _issue_from_csr(self, csr_der):
        """The demo issuing CA certifies a CSR (e.g. of a key generated in the HSM); OCSP will answer for it."""
        self.ensure_one()
        issued = self._to_pki().issue_from_csr(csr_der)
        custody = self.env['esign.key.custody']
        record = custody._certificate_record(self.company_id, issued.cert,
                                             f'{DEMO_LABEL}: {issued.cert.subject.rfc4514_string()}')
        self.issued_certificate_ids = [fields.Command.link(record.id)]
        return issued
