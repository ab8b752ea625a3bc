#!/usr/bin/env python3
"""Where one portal completion spends its time: cProfile and SQL statements.

On a fresh database set up as bench_portal.py does (same PKI kept by
esign_hsm, same loopback RFC 3161 TSA, same three-document envelopes), it
completes a few signers one after the other inside `odoo-bin shell`, as the
portal's public user with the portal's savepoint, and commits after each.
The first completions warm the process up (imports, fonts, keys); the last
one is profiled: SQL statements (grouped by table and kind, or all of them
with --statements) and the top of the cProfile listing. For every one it
prints the wall and CPU time, the SQL count, the HSM (PKCS#11) logins and
sessions it opened, and the engine alone on the same PDFs in the same process
(witness.sign_for_signer per document, as bench_portal.py times it), so that
what Odoo adds shows.

--hsm-kek puts the key-encryption key in a throw-away SoftHSM2 token (the
documents are stored under it), --hsm-witness the witness key (generated in
the token, certified by the benchmark's CA); without either, no HSM is used
and the login count is 0.

Usage: .venv/bin/python benchmarks/profile_completion.py [--signers 4] [--top 40] [--statements]
                                                        [--dump FILE] [--keep-db] [--hsm-kek] [--hsm-witness]
(ODOO_SRC, PGHOST/PGPORT/PGUSER as for scripts/test.)
"""
import argparse
import base64
import os
import pathlib
import subprocess
import sys
import tempfile
import uuid

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / 'tests'))
sys.path.insert(0, str(REPO / 'benchmarks'))
import conftest  # noqa: E402,F401
from bench_bulk_send import DB_ARGS, odoo  # noqa: E402
from bench_portal import PKI_PARTS, SETUP_SCRIPT, shell_json, write_pki  # noqa: E402

from esign_hsm.testing.pki import build_pki  # noqa: E402
from esign_hsm.testing.softhsm import SOFTHSM_MODULE, SoftHsm  # noqa: E402
from esign_hsm.testing.tsa_server import TsaServer  # noqa: E402

# Runs inside `odoo-bin shell` before SETUP_SCRIPT: the company's HSM settings
# and, with --hsm-kek, a KEK generated in the token (documents stored later go under it).
HSM_SCRIPT = r'''
company = env.ref('base.main_company')
company.write({{'esign_key_backend': 'pkcs11', 'esign_pkcs11_module': {module!r},
                'esign_pkcs11_token_label': {token!r}, 'esign_pkcs11_pin_source': 'env',
                'esign_pkcs11_pin_env': {pin_env!r}, 'esign_pkcs11_key_type': 'rsa_2048'}})
if {kek}:
    env['esign.key.custody']._generate_hsm_kek(company)
env.cr.commit()
'''

# After SETUP_SCRIPT, with --hsm-witness: a witness key generated in the token, certified by the
# benchmark's issuing CA and activated in place of the software one.
HSM_WITNESS_SCRIPT = r'''
import pathlib
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from odoo.addons.esign_hsm.testing.pki import PKI, Issued
PKI_DIR = pathlib.Path({pki_dir!r})
def load(name):
    key_path = PKI_DIR / f'{{name}}.key'
    return Issued(x509.load_pem_x509_certificate((PKI_DIR / f'{{name}}.crt').read_bytes()),
                  serialization.load_pem_private_key(key_path.read_bytes(), None) if key_path.exists() else None)
pki = PKI(**{{name: load(name) for name in {parts!r}}})
company = env.ref('base.main_company')
company.esign_pkcs11_key_label = 'bench-witness'
key = env['esign.key.custody']._generate_hsm_key(company)
key._attach_certificate(pki.issue_from_csr(key._csr_der()).cert, [pki.issuing_ca.cert, pki.root.cert])
key._activate()
env.cr.commit()
'''

HSM_TOKEN, HSM_PIN, HSM_PIN_ENV = 'esign-profile', '5731-profile-pin', 'ESIGN_PROFILE_HSM_PIN'

PROFILE_SCRIPT = r'''
import cProfile, collections, io, json, logging, pstats, re, time
from odoo.addons.esign_municipal.controllers.portal_access import request_info
entries, top = {entries!r}, {top}
statements = []
import base64, datetime, pathlib
from asn1crypto import keys as asn1_keys
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.signers import SimpleSigner
from pyhanko_certvalidator.registry import SimpleCertificateStore
from odoo.addons.esign_municipal.engine import witness
from odoo.addons.esign_hsm.engine.signers import to_asn1_cert
from odoo.addons.esign_timestamp.engine.rfc3161 import Rfc3161Client
PKI_DIR = pathlib.Path({pki_dir!r})
cert = lambda name: x509.load_pem_x509_certificate((PKI_DIR / f'{{name}}.crt').read_bytes())
engine_signer = SimpleSigner(
    signing_cert=to_asn1_cert(cert('witness')),
    signing_key=asn1_keys.PrivateKeyInfo.load(serialization.load_pem_private_key(
        (PKI_DIR / 'witness.key').read_bytes(), None).private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
    cert_registry=SimpleCertificateStore.from_certs([to_asn1_cert(cert(n)) for n in ('issuing_ca', 'root')]))
engine_timestamper = Rfc3161Client({tsa_url!r}, trust_roots=[to_asn1_cert(cert('root'))], timeout=30)

def engine_time(entry):
    # What bench_portal.py times for the engine alone: witness.sign_for_signer per document.
    start, cpu = time.perf_counter(), time.process_time()
    when = datetime.datetime.now(datetime.timezone.utc)
    for document in entry['engine']:
        witness.sign_for_signer(
            base64.b64decode(document['pdf']), field_name=document['field'], values=document['values'],
            signer=engine_signer, timestamper=engine_timestamper, location='日本',
            font_path='/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf',
            reason=witness.witness_reason(document['reason'], document['email'], when),
            signer_name=document['reason'], signed_at=when)
    return time.perf_counter() - start, time.process_time() - cpu

class Capture(logging.Handler):
    def emit(self, record):
        if 'query:' in record.getMessage():
            statements.append(record.getMessage())

# HSM logins: the engine's own counters, or (an engine without them) every PIN given to python-pkcs11.
from odoo.addons.esign_hsm.engine import pkcs11_token
if hasattr(pkcs11_token, 'session_counts'):
    hsm_counts = pkcs11_token.session_counts
else:
    from pkcs11 import _pkcs11
    opened = collections.Counter()
    token_open = _pkcs11.Token.open
    def counted_open(self, rw=False, user_pin=None, so_pin=None):
        opened['sessions'] += 1
        opened['logins'] += user_pin is not None
        return token_open(self, rw=rw, user_pin=user_pin, so_pin=so_pin)
    _pkcs11.Token.open = counted_open
    hsm_counts = lambda: dict(opened)

sql_logger = logging.getLogger('odoo.sql_db')
public = env.ref('base.public_user')
for n, entry in enumerate(entries):
    last = n == len(entries) - 1
    signer = env['esign.signer'].with_user(public).browse(entry['signer'])
    values = {{key[len('field_'):]: value for key, value in entry['values'].items()}}
    info = {{'ip': '127.0.0.1', 'user_agent': 'profile', 'auth_method': 'email_link'}}
    env.invalidate_all()
    handler = Capture()
    if last:
        sql_logger.addHandler(handler)
        sql_logger.setLevel(logging.DEBUG)
        profile = cProfile.Profile()
        profile.enable()
    start, cpu = time.perf_counter(), time.process_time()
    count = env.cr.sql_log_count
    hsm_before = hsm_counts()
    with env.cr.savepoint():
        signer._complete_signing(values, info)
    signer._esign_revoke_tokens('sign')
    env.flush_all()
    env.cr.commit()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    if last:
        profile.disable()
        sql_logger.removeHandler(handler)
        sql_logger.setLevel(logging.WARNING)
    hsm_after = hsm_counts()
    engine, engine_cpu = engine_time(entry)
    print(f'completion {{n + 1}}: {{elapsed * 1000:.0f}} ms ({{cpu * 1000:.0f}} ms CPU in this process), '
          f'{{env.cr.sql_log_count - count}} SQL statements, '
          f'{{hsm_after.get("logins", 0) - hsm_before.get("logins", 0)}} HSM logins '
          f'({{hsm_after.get("sessions", 0) - hsm_before.get("sessions", 0)}} PKCS#11 sessions) for '
          f'{{len(entry["engine"])}} documents; the engine alone on the same PDFs: '
          f'{{engine * 1000:.0f}} ms ({{engine_cpu * 1000:.0f}} ms CPU)')
if {dump!r}:
    profile.dump_stats({dump!r})
kinds = collections.Counter()
if {statements}:
    print('SQL statements of the last completion, in order:')
    for text in statements:
        print('  ' + re.sub(r'\s+', ' ', text)[:300])
for text in statements:
    text = re.sub(r'\s+', ' ', re.sub(r'^\[[\d.]+ ms\] ', '', text).removeprefix('query: ')).strip()
    match = re.match(r'(SELECT|INSERT INTO|UPDATE|DELETE FROM|SAVEPOINT|RELEASE SAVEPOINT|\w+)', text, re.I)
    kind = match.group(1).upper() if match else text[:20]
    table = re.search(r'(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', text, re.I)
    kinds[(kind, table.group(1) if table else '')] += 1
print('SQL statements of the last completion, by kind and table:')
for (kind, table), number in kinds.most_common():
    print(f'{{number:5d}}  {{kind}} {{table}}')
stream = io.StringIO()
pstats.Stats(profile, stream=stream).sort_stats('cumulative').print_stats(top)
print(stream.getvalue())
stream = io.StringIO()
pstats.Stats(profile, stream=stream).sort_stats('tottime').print_stats(top)
print(stream.getvalue())
stream = io.StringIO()
stats = pstats.Stats(profile, stream=stream).sort_stats('cumulative')
stats.print_callees('_complete_signing|_esign_apply_signature|_esign_after_signature')
print(stream.getvalue())
'''


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--signers', type=int, default=4)
    parser.add_argument('--top', type=int, default=40)
    parser.add_argument('--statements', action='store_true', help='list every SQL statement of the last one')
    parser.add_argument('--dump', help='also write the cProfile data of the last one to this file')
    parser.add_argument('--keep-db', action='store_true')
    parser.add_argument('--hsm-kek', action='store_true', help='the key-encryption key in a SoftHSM2 token')
    parser.add_argument('--hsm-witness', action='store_true', help='the witness key in a SoftHSM2 token')
    args = parser.parse_args()
    db = f'esign_profile_{uuid.uuid4().hex[:8]}'
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        kek = tmp / 'kek.key'
        kek.write_bytes(base64.b64encode(os.urandom(32)))
        kek.chmod(0o600)
        conf = tmp / 'odoo.conf'
        conf.write_text(f'[options]\nesign_kek_file = {kek}\n')
        pki = build_pki()
        write_pki(pki, tmp / 'pki')
        if args.hsm_kek or args.hsm_witness:
            # The odoo-bin processes below inherit this environment: the token directory and the PIN.
            SoftHsm(tmp / 'softhsm').activate().init_token(HSM_TOKEN, HSM_PIN)
            os.environ[HSM_PIN_ENV] = HSM_PIN
        with TsaServer(pki.tsa, pki.chain) as tsa:
            try:
                print(f'Creating {db} ...', flush=True)
                odoo('--stop-after-init', '-d', db, '-i', 'esign_municipal', '--without-demo', 'all', conf=str(conf))
                if args.hsm_kek or args.hsm_witness:
                    odoo('shell', '-d', db, conf=str(conf), stdin=HSM_SCRIPT.format(
                        module=SOFTHSM_MODULE, token=HSM_TOKEN, pin_env=HSM_PIN_ENV, kek=args.hsm_kek))
                setup = shell_json('SETUP', odoo('shell', '-d', db, conf=str(conf), stdin=SETUP_SCRIPT.format(
                    pki_dir=str(tmp / 'pki'), parts=PKI_PARTS, tsa_url=tsa.url,
                    groups={'solo': args.signers}, same=1)))
                if args.hsm_witness:
                    odoo('shell', '-d', db, conf=str(conf), stdin=HSM_WITNESS_SCRIPT.format(
                        pki_dir=str(tmp / 'pki'), parts=PKI_PARTS))
                print(odoo('shell', '-d', db, conf=str(conf), stdin=PROFILE_SCRIPT.format(
                    entries=setup['solo'], top=args.top, statements=args.statements, dump=args.dump,
                    pki_dir=str(tmp / 'pki'), tsa_url=tsa.url)))
            finally:
                if not args.keep_db:
                    subprocess.run(['dropdb', '-h', DB_ARGS[1], '-p', DB_ARGS[3], '--if-exists', db], check=False)


if __name__ == '__main__':
    main()
