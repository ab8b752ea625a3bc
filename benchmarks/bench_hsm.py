#!/usr/bin/env python3
"""Time per witness signature through a PKCS#11 HSM (SoftHSM2) against the software key, in the same run.

Both keys have the same type and size and sign the same one-page PDF as a PAdES
signature (pyHanko PdfSigner, no timestamp, so only the key custody differs):

- "per signature": what esign.key.custody._witness_signer does for each approval
  (software: read the KEK file, unseal the key; HSM: open a session, log in,
  find the key), then sign;
- "signer reused": the signing alone, with the key already unsealed / the session open;
- "raw signature": one RSA signature of 32 bytes, the cryptographic core.

Usage: .venv/bin/python benchmarks/bench_hsm.py [--rounds 30] [--key-type rsa_2048|rsa_3072|ec_p256]
"""
import argparse
import importlib.machinery
import pathlib
import statistics
import sys
import tempfile
import time
import types

REPO = pathlib.Path(__file__).resolve().parent.parent
# Load the Odoo-free engine without running esign_hsm/__init__.py (which imports odoo), as tests/conftest.py does.
_package = types.ModuleType('esign_hsm')
_package.__path__ = [str(REPO / 'esign_hsm')]
_package.__spec__ = importlib.machinery.ModuleSpec('esign_hsm', None, is_package=True)
sys.modules.setdefault('esign_hsm', _package)

from esign_hsm.engine import csr, pkcs11_token, sealed_key, signers, vault_crypto  # noqa: E402
from esign_hsm.testing import pdf_checks, softhsm  # noqa: E402
from esign_hsm.testing import pki as pki_mod  # noqa: E402

PIN = 'bench-pin-0000'
TOKEN = 'esign-bench'
LABEL = 'bench-witness'


def _timed(function, rounds, warmup=3):
    for _ in range(warmup):
        function()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _row(name, software, hsm):
    soft_median, hsm_median = statistics.median(software), statistics.median(hsm)
    print(f'{name:<22} {soft_median:>10.2f} {statistics.mean(software):>10.2f} '
          f'{hsm_median:>10.2f} {statistics.mean(hsm):>10.2f} {hsm_median / soft_median:>8.2f}x')


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=30)
    parser.add_argument('--key-type', default='rsa_2048', choices=sorted(pkcs11_token.KEY_TYPES))
    args = parser.parse_args()

    work = tempfile.TemporaryDirectory(prefix='esign-bench-hsm-')
    hsm = softhsm.SoftHsm(work.name).activate()
    hsm.init_token(TOKEN, PIN)
    config = pkcs11_token.TokenConfig(softhsm.SOFTHSM_MODULE, TOKEN, PIN)
    demo = pki_mod.build_pki(key_type='ec' if args.key_type == 'ec_p256' else 'rsa')
    chain = [signers.to_asn1_cert(c.cert) for c in demo.chain]

    # The HSM key, generated inside the token and certified from its CSR.
    with pkcs11_token.open_session(config, rw=True) as session:
        _key_id, public = pkcs11_token.generate_signing_key(session, LABEL, args.key_type)
        private = pkcs11_token.find_private_key(session, LABEL)
        request = csr.build_csr(csr.subject_name(common_name='Bench HSM witness'), public,
                                lambda data: pkcs11_token.sign_with_key(private, data))
    hsm_cert = signers.to_asn1_cert(demo.issue_from_csr(request).cert)

    # The software key of the same type, sealed under a key file as Odoo stores it.
    if args.key_type == 'rsa_3072':
        from cryptography.hazmat.primitives.asymmetric import rsa
        software_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    else:
        software_key = pki_mod.new_private_key('ec' if args.key_type == 'ec_p256' else 'rsa')
    software_cert = demo.issue(software_key.public_key(), 'Bench software witness', 'witness').cert
    kek_path = vault_crypto.generate_kek_file(f'{work.name}/kek.key')
    sealed = sealed_key.seal_private_key(software_key, vault_crypto.FileKek.from_file(kek_path))
    chain_certs = [c.cert for c in demo.chain]

    pdf = pdf_checks.one_page_pdf('benchmark')

    def software_per_signature():
        key = sealed_key.unseal_private_key(sealed, vault_crypto.FileKek.from_file(kek_path))
        pdf_checks.sign_pdf(signers.software_signer(key, software_cert, chain_certs), pdf)

    def hsm_per_signature():
        with pkcs11_token.open_session(config) as session:
            signer = pkcs11_token.witness_signer(session, signing_cert=hsm_cert, chain=chain, key_label=LABEL)
            pdf_checks.sign_pdf(signer, pdf)

    software_signer = signers.software_signer(software_key, software_cert, chain_certs)
    software_reused = _timed(lambda: pdf_checks.sign_pdf(software_signer, pdf), args.rounds)
    software_raw = _timed(lambda: signers.raw_signature(software_signer, b'x' * 32), args.rounds)
    with pkcs11_token.open_session(config) as session:
        hsm_signer = pkcs11_token.witness_signer(session, signing_cert=hsm_cert, chain=chain, key_label=LABEL)
        check = pdf_checks.sign_pdf(hsm_signer, pdf)
        hsm_reused = _timed(lambda: pdf_checks.sign_pdf(hsm_signer, pdf), args.rounds)
        hsm_raw = _timed(lambda: signers.raw_signature(hsm_signer, b'x' * 32), args.rounds)
    pdf_checks.assert_pdfsig_verdict(check, [demo.root.cert], ['Witness'])
    software_full = _timed(software_per_signature, args.rounds)
    hsm_full = _timed(hsm_per_signature, args.rounds)

    print(f'witness signature of a 1-page PDF, {args.key_type}, {args.rounds} rounds, times in ms '
          f'(SoftHSM2 {softhsm.SOFTHSM_MODULE})')
    print(f'{"":<22} {"software":>21} {"SoftHSM2":>21} {"ratio":>9}')
    print(f'{"":<22} {"median":>10} {"mean":>10} {"median":>10} {"mean":>10} {"HSM/soft":>9}')
    _row('per signature', software_full, hsm_full)
    _row('signer reused', software_reused, hsm_reused)
    _row('raw signature', software_raw, hsm_raw)
    work.cleanup()


if __name__ == '__main__':
    main()
