"""Builds RFC 3161 responses for the loopback TSA server of the tests.

Fault injection lets the tests see how the client copes with a TSA that
answers badly (wrong nonce, wrong imprint, rejection, broken signature).
"""
import datetime
import hashlib
import itertools
import os

from asn1crypto import algos, cms, core, tsp, x509 as asn1_x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from pyhanko.sign.general import as_signing_certificate_v2, simple_cms_attribute

from ..engine.signers import to_asn1_cert

# Faults that change the response itself (transport faults live in tsa_server).
RESPONSE_FAULTS = ('wrong_nonce', 'wrong_imprint', 'reject', 'bad_signature')
TEST_POLICY_OID = '1.3.6.1.4.1.99999.1.1'  # private arc: a test TSA's policy
_serials = itertools.count(1)


class TimeStampResp(core.Sequence):
    """RFC 3161 TimeStampResp whose token is optional (a refusal carries none)."""
    _fields = [('status', tsp.PKIStatusInfo), ('time_stamp_token', cms.ContentInfo, {'optional': True})]


class TsaResponder:
    """Answers TimeStampReq DER with TimeStampResp DER, signed by `tsa_key`.

    tsa_cert/chain: cryptography or asn1crypto certificates (chain: issuers
    to embed when the request asks for certificates).
    """

    def __init__(self, tsa_cert, tsa_key, chain=(), policy_oid=TEST_POLICY_OID, fault=None):
        self.tsa_cert = to_asn1_cert(tsa_cert)
        self.chain = [to_asn1_cert(c) for c in chain]
        self.tsa_key = tsa_key
        self.policy_oid = policy_oid
        self.fault = fault

    def respond(self, request_der, fault=None):
        fault = fault or self.fault
        try:
            request = tsp.TimeStampReq.load(request_der)
            request.native
        except Exception:
            return self._refusal('bad_data_format', 'unreadable request')
        if fault == 'reject':
            return self._refusal('system_failure', 'rejected by fault injection')
        imprint = request['message_imprint']
        algorithm = imprint['hash_algorithm']['algorithm'].native
        if algorithm not in ('sha256', 'sha384', 'sha512'):
            return self._refusal('bad_alg', f'unsupported hash {algorithm}')
        if fault == 'wrong_imprint':
            wrong = bytes(b ^ 0xFF for b in imprint['hashed_message'].native)
            imprint = tsp.MessageImprint({'hash_algorithm': imprint['hash_algorithm'], 'hashed_message': wrong})
        nonce = request['nonce'].native
        if nonce is not None and fault == 'wrong_nonce':
            nonce += 1
        requested_policy = request['req_policy'].native
        policy = request['req_policy'].dotted if requested_policy else self.policy_oid
        gen_time = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        tst_info = {
            'version': 'v1',
            'policy': policy,
            'message_imprint': imprint,
            # unique per process and unguessable across restarts
            'serial_number': (int.from_bytes(os.urandom(8), 'big') << 16) | (next(_serials) & 0xFFFF),
            'gen_time': gen_time,
            'accuracy': {'seconds': 1},
            'tsa': asn1_x509.GeneralName(name='directory_name', value=self.tsa_cert.subject),
        }
        if nonce is not None:
            tst_info['nonce'] = nonce
        token = self._sign(tsp.TSTInfo(tst_info).dump(), gen_time, include_certs=bool(request['cert_req'].native),
                           fault=fault)
        return TimeStampResp({'status': {'status': 'granted'}, 'time_stamp_token': token}).dump()

    def _refusal(self, fail_info, text):
        return TimeStampResp({'status': {
            'status': 'rejection', 'status_string': [text], 'fail_info': tsp.PKIFailureInfo({fail_info}),
        }}).dump()

    def _sign(self, tst_info_der, gen_time, include_certs, fault=None):
        md = 'sha256'
        signed_attrs = cms.CMSAttributes([
            simple_cms_attribute('content_type', 'tst_info'),
            simple_cms_attribute('signing_time', cms.Time({'utc_time': core.UTCTime(gen_time)})),
            simple_cms_attribute('signing_certificate_v2', as_signing_certificate_v2(self.tsa_cert, md)),
            simple_cms_attribute('message_digest', hashlib.sha256(tst_info_der).digest()),
        ])
        if isinstance(self.tsa_key, rsa.RSAPrivateKey):
            signature = self.tsa_key.sign(signed_attrs.dump(), padding.PKCS1v15(), hashes.SHA256())
            signature_algorithm = 'sha256_rsa'
        elif isinstance(self.tsa_key, ec.EllipticCurvePrivateKey):
            signature = self.tsa_key.sign(signed_attrs.dump(), ec.ECDSA(hashes.SHA256()))
            signature_algorithm = 'sha256_ecdsa'
        else:
            raise TypeError('the TSA key must be RSA or EC')
        if fault == 'bad_signature':
            signature = signature[:-1] + bytes([signature[-1] ^ 0x01])
        digest_algorithm = algos.DigestAlgorithm({'algorithm': md})
        signer_info = cms.SignerInfo({
            'version': 'v1',
            'sid': cms.SignerIdentifier({'issuer_and_serial_number': cms.IssuerAndSerialNumber({
                'issuer': self.tsa_cert.issuer, 'serial_number': self.tsa_cert.serial_number})}),
            'digest_algorithm': digest_algorithm,
            'signature_algorithm': algos.SignedDigestAlgorithm({'algorithm': signature_algorithm}),
            'signed_attrs': signed_attrs,
            'signature': signature,
        })
        signed_data = {
            'version': 'v3',
            'digest_algorithms': [digest_algorithm],
            'encap_content_info': {'content_type': 'tst_info', 'content': cms.ParsableOctetString(tst_info_der)},
            'signer_infos': [signer_info],
        }
        if include_certs:
            signed_data['certificates'] = [self.tsa_cert, *self.chain]
        return cms.ContentInfo({'content_type': 'signed_data', 'content': cms.SignedData(signed_data)})

