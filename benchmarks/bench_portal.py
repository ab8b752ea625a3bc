#!/usr/bin/env python3
"""Signing portal under load: 20 contractors signing at the same time, Odoo in multi-process mode.

On a fresh database (the three addons, no demo data), with a test PKI whose
witness key is kept by esign_hsm and a real RFC 3161 TSA on loopback, it
sends one envelope per signer (3 documents; a text field and a date on the
first, a text field on the second; the approver signs later), starts Odoo
with --workers and warms every worker up. Then 20 signers open their mailed
link at the same moment, each in its own HTTP session: the signing page
(timed) and the first document the viewer fetches, then they read and fill
in, opening the other tabs (--think seconds, at random: three contracts take
a person that long at least) and
press 署名手続きを完了する (timed: the witness signature on every document,
through the whole Odoo pipeline, next signer invited).

In the same run, the engine's own time for the same work (the same prepared
PDFs, values and TSA, the same kind of signer esign_hsm makes of a software
witness key, no Odoo: witness.sign_for_signer per document), under
the same conditions: one at a time, and with the same arrival times on as
many processes as Odoo has workers. The completion target compares like with
like: what Odoo adds to the signing work at the same load. Also shown:
- a burst: 20 more signers pressing complete within --burst-think seconds
  (signing is CPU work: it queues on a small machine, engine and Odoo alike);
- --same-envelope signers of ONE envelope completing at the same moment:
  they are serialized, and every signature must be in the PDF.

Prints p50/p95 of the signing page and of the completion request, the error
count, the engine's time and the ratio, and checks the targets: zero errors;
signing page p95 <= 250 ms; completion p95 <= 1.5x the engine's time.

Usage: .venv/bin/python benchmarks/bench_portal.py [--signers 20] [--workers 4] [--think 20 60]
                                                   [--burst-think 0 2] [--same-envelope 4] [--keep-db]
(ODOO_SRC, PGHOST/PGPORT/PGUSER as for scripts/test.)
"""
import argparse
import base64
import datetime
import json
import multiprocessing
import os
import pathlib
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from urllib.parse import urlsplit

import requests

REPO = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / 'tests'))
sys.path.insert(0, str(REPO / 'benchmarks'))
import conftest  # noqa: E402,F401  (registers the addons as bare packages, without Odoo)
from bench_bulk_send import ADDONS_PATH, DB_ARGS, ODOO_SRC, odoo  # noqa: E402  (odoo-bin as the other benchmarks run it)
from signing_support import pdfsig  # noqa: E402

from cryptography.hazmat.primitives import serialization  # noqa: E402

from esign_hsm.engine import signers  # noqa: E402
from esign_hsm.testing.pki import build_pki  # noqa: E402
from esign_municipal.engine import witness  # noqa: E402
from esign_timestamp.engine.rfc3161 import Rfc3161Client  # noqa: E402
from esign_hsm.testing.tsa_server import TsaServer  # noqa: E402

FONT = '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf'
CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
PDF_RE = re.compile(r'data-pdf-url="([^"]+)"')
PKI_PARTS = ('root', 'issuing_ca', 'witness', 'tsa', 'ocsp_responder')

# Runs inside `odoo-bin shell`: the PKI and TSA settings, the envelopes, one
# signing link per signer, and what the engine baseline needs. Prints one JSON line.
SETUP_SCRIPT = r'''
import base64, io, json, pathlib
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from odoo import Command
from odoo.addons.esign_hsm.testing.pki import PKI, Issued

PKI_DIR = pathlib.Path({pki_dir!r})
GROUPS, SAME = {groups!r}, {same}

def load(name):
    cert = x509.load_pem_x509_certificate((PKI_DIR / f'{{name}}.crt').read_bytes())
    key_path = PKI_DIR / f'{{name}}.key'
    key = serialization.load_pem_private_key(key_path.read_bytes(), None) if key_path.exists() else None
    return Issued(cert, key)

def pdf(title, pages):
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    for number in range(pages):
        c.setFont('Helvetica', 14)
        c.drawString(72, 780, f'{{title}} {{number + 1}}/{{pages}}')
        c.setFont('Helvetica', 10)
        for line in range(30):
            c.drawString(72, 740 - 20 * line, f'Article {{line + 1}}. The parties agree to the terms below.')
        c.showPage()
    c.save()
    return buffer.getvalue()

company = env.ref('base.main_company')
company.write({{'name': 'Bench City', 'email': 'keiyaku@bench-city.example'}})
pki = PKI(**{{name: load(name) for name in {parts!r}}})
env['esign.demo.pki']._install_demo_pki(company, pki)
env['esign.tsa'].search([]).active = False
env['esign.tsa'].create({{'name': 'Loopback TSA', 'url': {tsa_url!r}, 'timeout': 30.0,
                         'trust_roots_pem': (PKI_DIR / 'root.crt').read_text()}})
approver = env['res.users'].create({{'name': 'Bench Approver', 'login': 'bench_approver',
    'email': 'approver@bench-city.example', 'groups_id': [Command.link(env.ref('esign_municipal.group_esign_user').id)]}})
documents = {{'Non-disclosure agreement': pdf('Non-disclosure agreement', 2),
             'Service outsourcing contract': pdf('Service outsourcing contract', 1),
             'Cover letter': pdf('Cover letter', 1)}}

def envelope_for(partners, mode):
    envelope = env['esign.envelope'].create({{'name': 'E-contract service outsourcing', 'signing_mode': mode,
                                              'user_id': approver.id}})
    docs = [env['esign.document'].create({{'envelope_id': envelope.id, 'name': name, 'sequence': i,
                                          'pdf_upload': base64.b64encode(data)}})
            for i, (name, data) in enumerate(documents.items())]
    signers = env['esign.signer'].create([{{'envelope_id': envelope.id, 'partner_id': p.id, 'signing_order': 1}}
                                          for p in partners])
    if mode == 'sequential':
        signers |= env['esign.signer'].create({{'envelope_id': envelope.id, 'partner_id': approver.partner_id.id,
                                               'role': 'municipality', 'signing_order': 2}})
    fields = {{}}
    for signer in signers:
        env['esign.field'].create([{{'document_id': d.id, 'signer_id': signer.id, 'field_type': 'signature',
                                    'page': 1}} for d in docs])
        if signer.partner_id != approver.partner_id:
            fields[signer.id] = env['esign.field'].create([
                {{'document_id': docs[0].id, 'signer_id': signer.id, 'field_type': 'text', 'label': 'Company',
                  'page': 1, 'x1': 72, 'y1': 120, 'x2': 320, 'y2': 140}},
                {{'document_id': docs[0].id, 'signer_id': signer.id, 'field_type': 'date', 'label': 'Start',
                  'page': 2, 'x1': 72, 'y1': 120, 'x2': 220, 'y2': 140}},
                {{'document_id': docs[1].id, 'signer_id': signer.id, 'field_type': 'text', 'label': 'Representative',
                  'page': 1, 'x1': 300, 'y1': 120, 'x2': 520, 'y2': 140}}])
    envelope.action_send()
    return envelope, docs, signers, fields

VALUES = ['株式会社ベンチ建設', '2026-04-01', '山田 太郎']
out = {{group: [] for group in GROUPS}}
for group, count in GROUPS.items():
    for n in range(count):
        partner = env['res.partner'].create({{'name': f'Contractor {{group}} {{n}}',
                                              'email': f'{{group}}{{n}}@contractor.example'}})
        envelope, docs, signers, fields = envelope_for(partner, 'sequential')
        signer = signers[0]
        entry = {{'envelope': envelope.id, 'signer': signer.id, 'link': f'/esign/sign/{{signer.id}}/' + signer._esign_issue_token('sign', 'invite'),
                 'values': {{f'field_{{f.id}}': v for f, v in zip(fields[signer.id], VALUES)}}}}
        if group != 'warm':
            entry['engine'] = [{{
                'pdf': base64.b64encode(d._read_pdf('current')).decode(),
                'field': f'FIELD_{{envelope.number}}_{{signer.id}}',
                'values': {{f._esign_pdf_name(): v for f, v in zip(fields[signer.id], VALUES) if f.document_id == d}},
                'reason': signer.name, 'email': signer.email}} for d in docs]
        out[group].append(entry)
partners = env['res.partner'].create([{{'name': f'Parallel signer {{n}}', 'email': f'parallel{{n}}@contractor.example'}}
                                      for n in range(SAME)])
envelope, docs, signers, fields = envelope_for(partners, 'parallel')
out['same'] = {{'envelope': envelope.id, 'signers': [
    {{'signer': s.id, 'link': f'/esign/sign/{{s.id}}/' + s._esign_issue_token('sign', 'invite'),
      'values': {{f'field_{{f.id}}': v for f, v in zip(fields[s.id], VALUES)}}}} for s in signers]}}
env.cr.commit()
print('SETUP ' + json.dumps(out))
'''

# What ended up in the database: every measured signer signed, and the PDFs.
CHECK_SCRIPT = r'''
import base64, json
signer_ids, same = {signer_ids!r}, {same!r}
signers = env['esign.signer'].browse(signer_ids)
envelope = env['esign.envelope'].browse(same)
print('CHECK ' + json.dumps({{
    'states': signers.mapped('state'),
    'sample_pdf': base64.b64encode(signers[0].envelope_id.document_ids.sorted('sequence')[0]._read_pdf('current')).decode(),
    'same_states': envelope.signer_ids.mapped('state'),
    'same_number': envelope.number,
    'same_signer_ids': envelope.signer_ids.ids,
    'same_pdf': base64.b64encode(envelope.document_ids.sorted('sequence')[0]._read_pdf('current')).decode(),
}}))
'''


def shell_json(prefix, out):
    line = next(line for line in out.splitlines() if line.startswith(prefix + ' '))
    return json.loads(line[len(prefix) + 1:])


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def write_pki(pki, directory):
    directory.mkdir(mode=0o700)
    for name in PKI_PARTS:
        issued = getattr(pki, name)
        (directory / f'{name}.crt').write_bytes(issued.cert_pem)
        if issued.key is not None:
            (directory / f'{name}.key').write_bytes(issued.key_pem())


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]


class Server:
    """odoo-bin in prefork mode (--workers), in its own process group."""

    def __init__(self, db, conf, workers, log):
        self.port = free_port()
        self.log = log
        command = [sys.executable, str(ODOO_SRC / 'odoo-bin'), '--addons-path', ADDONS_PATH, '-c', conf, *DB_ARGS,
                   '-d', db, '--db-filter', f'^{db}$', '--http-port', str(self.port), '--workers', str(workers),
                   '--max-cron-threads', '0', '--limit-time-real', '600', '--limit-time-cpu', '600',
                   '--limit-memory-soft', str(2 ** 31), '--limit-memory-hard', str(2 ** 32), '--log-level', 'info',
                   '--logfile', str(log)]
        self.process = subprocess.Popen(command, start_new_session=True)
        self.url = f'http://127.0.0.1:{self.port}'
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + '/web/login', timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        self.stop()
        sys.exit('Odoo did not start; see ' + str(log))

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


class Journey:
    """One signer's browser: link, page, PDFs, (think), complete."""

    def __init__(self, base_url, entry):
        self.base_url = base_url
        self.entry = entry
        self.session = requests.Session()
        self.page = self.pdfs = self.complete = None
        self.error = None

    def open(self):
        response = self.session.get(self.base_url + self.entry['link'], allow_redirects=False, timeout=120)
        if response.status_code != 303:
            raise AssertionError(f'link: HTTP {response.status_code}')
        start = time.perf_counter()
        response = self.session.get(self.base_url + urlsplit(response.headers['Location']).path, timeout=120)
        self.page = time.perf_counter() - start
        if response.status_code != 200 or 'o_esign_sign' not in response.text:
            raise AssertionError(f'page: HTTP {response.status_code}')
        self.csrf = CSRF_RE.search(response.text).group(1)
        # The viewer fetches the first tab's PDF at once, the others when the signer opens their tabs.
        self.pdf_urls = PDF_RE.findall(response.text)
        start = time.perf_counter()
        self.fetch_pdf(self.pdf_urls[0])
        self.pdfs = time.perf_counter() - start

    def fetch_pdf(self, url):
        pdf = self.session.get(self.base_url + url, timeout=120)
        if pdf.status_code != 200 or not pdf.content.startswith(b'%PDF-'):
            raise AssertionError(f'document: HTTP {pdf.status_code}')

    def read(self, think):
        """Reading and filling in: the other tabs are opened on the way."""
        start = time.perf_counter()
        for url in self.pdf_urls[1:]:
            self.fetch_pdf(url)
        time.sleep(max(0.0, think - (time.perf_counter() - start)))

    def sign(self):
        data = dict(self.entry['values'], csrf_token=self.csrf)
        start = time.perf_counter()
        response = self.session.post(self.base_url + f"/esign/sign/{self.entry['signer']}/complete", data=data,
                                     allow_redirects=False, timeout=600)
        self.complete = time.perf_counter() - start
        if response.status_code != 303:
            raise AssertionError(f'complete: HTTP {response.status_code}')
        done = self.session.get(self.base_url + f"/esign/sign/{self.entry['signer']}", timeout=120)
        if 'data-state="signed"' not in done.text:
            raise AssertionError('complete: the success page does not say signed')

    def run(self, think=0.0, start_barrier=None, sign_barrier=None):
        try:
            if start_barrier:
                start_barrier.wait(120)
            self.open()
            self.read(think)
            if sign_barrier:
                sign_barrier.wait(300)
            self.sign()
        except Exception as exc:  # counted and shown, the run goes on
            self.error = f'{type(exc).__name__}: {exc}'


def run_all(journeys, thinks=None, together=False):
    start_barrier = threading.Barrier(len(journeys))
    sign_barrier = threading.Barrier(len(journeys)) if together else None
    thinks = thinks or [0.0] * len(journeys)
    threads = [threading.Thread(target=j.run, args=(think, start_barrier, sign_barrier))
               for j, think in zip(journeys, thinks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


_ENGINE = {}


def _engine_setup(pki, tsa_url):
    # The signer Odoo hands the engine for a software witness key (esign_hsm),
    # so that both sides sign with the same code.
    _ENGINE['signer'] = signers.software_signer(pki.witness.key, pki.witness.cert, [pki.issuing_ca.cert, pki.root.cert])
    _ENGINE['timestamper'] = Rfc3161Client(tsa_url, trust_roots=[pki.root.asn1], timeout=30)


def _engine_sign(entry):
    """What a completion does to the PDFs, with the engine alone: every document of the envelope."""
    when = datetime.datetime.now(datetime.timezone.utc)
    for document in entry['engine']:
        witness.sign_for_signer(
            base64.b64decode(document['pdf']), field_name=document['field'], values=document['values'],
            signer=_ENGINE['signer'], timestamper=_ENGINE['timestamper'], location='日本', font_path=FONT,
            reason=witness.witness_reason(document['reason'], document['email'], when),
            signer_name=document['reason'], signed_at=when)


def _engine_timed(entry):
    start = time.perf_counter()
    _engine_sign(entry)
    return time.perf_counter() - start


def engine_solo(entries):
    """The engine alone, one envelope after the other: seconds per envelope."""
    return [_engine_timed(entry) for entry in entries]


def engine_under_load(pool, entries, thinks):
    """The same signings, arriving when the portal's signers press complete
    (after their think time), on as many processes as Odoo has workers:
    seconds from arrival to done, waiting for a free process included."""
    results, lock = [], threading.Lock()
    start = time.perf_counter()

    def submit(entry, think):
        time.sleep(think)
        arrived = time.perf_counter()
        pool.apply(_engine_sign, (entry,))
        with lock:
            results.append(time.perf_counter() - arrived)

    threads = [threading.Thread(target=submit, args=pair) for pair in zip(entries, thinks)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, time.perf_counter() - start


def ms(seconds):
    return f'{seconds * 1000:8.0f}'


def scenario(server, entries, thinks, label):
    print(label, flush=True)
    journeys = [Journey(server.url, entry) for entry in entries]
    started = time.perf_counter()
    run_all(journeys, thinks)
    return journeys, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument('--signers', type=int, default=20)
    parser.add_argument('--workers', type=int, default=4)
    parser.add_argument('--think', type=float, nargs=2, default=(20.0, 60.0), metavar=('MIN', 'MAX'),
                        help='seconds each signer spends reading and filling in, at random in [MIN, MAX]')
    parser.add_argument('--burst-think', type=float, nargs=2, default=(0.0, 2.0), metavar=('MIN', 'MAX'))
    parser.add_argument('--solo', type=int, default=5, help='signers completing one at a time')
    parser.add_argument('--same-envelope', type=int, default=4)
    parser.add_argument('--keep-db', action='store_true')
    parser.add_argument('--server-log', help='keep a copy of the Odoo server log here')
    args = parser.parse_args()
    random.seed(6)
    db = f'esign_bench_portal_{uuid.uuid4().hex[:8]}'
    groups = {'realistic': args.signers, 'burst': args.signers, 'solo': args.solo, 'warm': 4 * args.workers}
    runs = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        kek = tmp / 'kek.key'
        kek.write_bytes(base64.b64encode(os.urandom(32)))
        conf = tmp / 'odoo.conf'
        conf.write_text(f'[options]\nesign_kek_file = {kek}\n')
        pki = build_pki()
        write_pki(pki, tmp / 'pki')
        server = None
        with TsaServer(pki.tsa, pki.chain) as tsa:
            try:
                print(f'Creating {db} (the three addons, no demo data) ...', flush=True)
                odoo('--stop-after-init', '-d', db, '-i', 'esign_municipal', '--without-demo', 'all', conf=str(conf))
                print(f'Sending {sum(groups.values())} envelopes and one with {args.same_envelope} signers ...',
                      flush=True)
                setup = shell_json('SETUP', odoo('shell', '-d', db, conf=str(conf), stdin=SETUP_SCRIPT.format(
                    pki_dir=str(tmp / 'pki'), parts=PKI_PARTS, tsa_url=tsa.url, groups=groups,
                    same=args.same_envelope)))
                thinks = {'realistic': [random.uniform(*args.think) for _ in range(args.signers)],
                          'burst': [random.uniform(*args.burst_think) for _ in range(args.signers)]}
                print('The engine alone, on the same PDFs with the same TSA: one at a time, then with the '
                      f'same arrivals on {args.workers} processes ...', flush=True)
                _engine_setup(pki, tsa.url)
                engine_solo(setup['realistic'][:2])  # warm-up: imports, fonts, connections
                # The machine is shared: the engine runs before and after Odoo, and the
                # solo signings alternate with Odoo's, so both meet the same background load.
                engine = {'solo': [], 'realistic': [], 'burst': []}
                pool = multiprocessing.get_context('fork').Pool(args.workers)
                pool.map(_engine_sign, setup['realistic'][:args.workers])  # warm every process
                for name in ('realistic', 'burst'):
                    engine[name] += engine_under_load(pool, setup[name], thinks[name])[0]
                print(f'Starting Odoo with --workers {args.workers}, warming the workers up ...', flush=True)
                server = Server(db, str(conf), args.workers, tmp / 'odoo.log')
                # Two rounds of as many signers at once as there are workers, twice
                # over: every worker has signed (imports, fonts, keys) before timing.
                half = len(setup['warm']) // 2
                runs['warm'] = scenario(server, setup['warm'][:half], None, 'warm-up')
                runs['warm'][0].extend(scenario(server, setup['warm'][half:], None, 'warm-up, again')[0])
                runs['realistic'] = scenario(
                    server, setup['realistic'], thinks['realistic'],
                    f'{args.signers} signers at the same time, reading {args.think[0]:g}-{args.think[1]:g} s ...')
                print(f'{args.solo} signers one at a time ...', flush=True)
                runs['solo'] = ([], 0.0)
                for entry in setup['solo']:
                    engine['solo'] += engine_solo([entry])
                    journey = Journey(server.url, entry)
                    journey.run()
                    runs['solo'][0].append(journey)
                runs['burst'] = scenario(
                    server, setup['burst'], thinks['burst'],
                    f'{args.signers} signers pressing complete within {args.burst_think[1]:g} s ...')
                print(f'{args.same_envelope} signers of one envelope pressing complete together ...', flush=True)
                same = [Journey(server.url, entry) for entry in setup['same']['signers']]
                run_all(same, together=True)
                runs['same'] = (same, 0.0)
                server.stop()
                print('The engine again, same arrivals ...', flush=True)
                for name in ('realistic', 'burst'):
                    engine[name] += engine_under_load(pool, setup[name], thinks[name])[0]
                pool.close()
                log = (tmp / 'odoo.log').read_text(errors='replace').splitlines()
                if args.server_log:
                    pathlib.Path(args.server_log).write_text('\n'.join(log))
                log_errors = [line for line in log if ' ERROR ' in line or ' CRITICAL ' in line]
                server_times = completion_server_times(log, setup['realistic'])
                signer_ids = [entry['signer'] for group in ('realistic', 'solo', 'burst', 'warm')
                              for entry in setup[group]]
                check = shell_json('CHECK', odoo('shell', '-d', db, conf=str(conf), stdin=CHECK_SCRIPT.format(
                    signer_ids=signer_ids, same=setup['same']['envelope'])))
            finally:
                if server:
                    server.stop()
                if not args.keep_db:
                    subprocess.run(['dropdb', '-h', DB_ARGS[1], '-p', DB_ARGS[3], '--if-exists', db], check=False)

    report(args, runs, engine, log_errors, check, server_times, [pki.root.cert])


def completion_server_times(log, entries):
    """Seconds Odoo itself spent on each completion request (SQL + Python, from
    its access log), i.e. without the wait for a free worker."""
    wanted = {f"/esign/sign/{entry['signer']}/complete" for entry in entries}
    times = []
    for line in log:
        match = re.search(r'"POST (\S+) HTTP/1\.1" 303 - \d+ ([\d.]+) ([\d.]+)', line)
        if match and match.group(1) in wanted:
            times.append(float(match.group(2)) + float(match.group(3)))
    return times


def report(args, runs, engine, log_errors, check, server_times, trust_roots):
    realistic, elapsed = runs['realistic']
    pages = [j.page for j in realistic if j.page is not None]
    errors = [j.error for journeys, _elapsed in runs.values() for j in journeys if j.error]

    def done(name):
        return [j.complete for j in runs[name][0] if not j.error]

    def row(label, values):
        if values:
            print(f'{label:<66}{ms(statistics.median(values))}{ms(percentile(values, 0.95))}{ms(max(values))}')

    print()
    print(f"{'':<66}{'p50 ms':>8}{'p95 ms':>8}{'max ms':>8}")
    row(f'signing page (HTML), {len(pages)} signers opening at the same moment', pages)
    row('  the first document the viewer loads with it (PDF)', [j.pdfs for j in realistic if j.pdfs is not None])
    for name, label in (('realistic', f'{args.signers} signers at once, reading {args.think[0]:g}-{args.think[1]:g} s'),
                        ('solo', 'one signer at a time'),
                        ('burst', f'burst: {args.signers} pressing within {args.burst_think[1]:g} s')):
        row(f'completion (3 documents), {label}', done(name))
        row('  engine alone, same PDFs, same arrivals, ' + ('one process' if name == 'solo' else
                                                             f'{args.workers} processes'), engine[name])
    row(f'completion, {len(done("same"))} signers of one envelope pressing together', done('same'))
    row(f'  (of the {len(server_times)} completions at once: time inside Odoo, from its access log)', server_times)
    print()
    print(f'{args.signers} signers in {elapsed:.1f} s, Odoo --workers {args.workers}, {os.cpu_count()} CPUs '
          f'(shared with whatever else runs on the machine)')
    print(f'errors: {len(errors)} in the journeys, {len(log_errors)} ERROR lines in the server log')
    for error in errors[:10]:
        print('  ' + error)
    for line in log_errors[:10]:
        print('  ' + line[:200])
    signed = check['states'].count('signed')
    sample = [s.name for s in pdfsig(base64.b64decode(check['sample_pdf']), trust_roots)
              if s.kind == 'ETSI.CAdES.detached' and s.validation == 'Signature is Valid.']
    same_signed = sorted(s.name for s in pdfsig(base64.b64decode(check['same_pdf']), trust_roots)
                         if s.kind == 'ETSI.CAdES.detached' and s.validation == 'Signature is Valid.')
    expected_same = sorted(f"FIELD_{check['same_number']}_{signer}" for signer in check['same_signer_ids'])
    print(f"signers signed: {signed}/{len(check['states'])}; valid signatures in a sample PDF (pdfsig): "
          f"{len(sample)}")
    print(f"one envelope, {len(expected_same)} signers at once: {check['same_states'].count('signed')} signed, "
          f"{len(same_signed)} valid signatures in its PDF (expected {len(expected_same)})")
    for name in ('solo', 'burst'):
        if done(name):
            print(f'{name}: completion p95 / engine p95 = '
                  f'{percentile(done(name), 0.95) / percentile(engine[name], 0.95):.2f}x, '
                  f'p50 / p50 = {statistics.median(done(name)) / statistics.median(engine[name]):.2f}x')
    print()
    page_p95 = percentile(pages, 0.95) if pages else float('inf')
    complete_p95 = percentile(done('realistic'), 0.95) if done('realistic') else float('inf')
    engine_p95 = percentile(engine['realistic'], 0.95)
    ratio = complete_p95 / engine_p95
    all_in = same_signed == expected_same and signed == len(check['states']) and len(sample) == 1
    targets = [
        ('zero errors', not errors and not log_errors and all_in, f'{len(errors) + len(log_errors)} errors'),
        ('signing page p95 <= 250 ms', page_p95 <= 0.25, f'{page_p95 * 1000:.0f} ms'),
        ('completion p95 <= 1.5x the engine (same signings, same arrivals)', ratio <= 1.5,
         f'{complete_p95 * 1000:.0f} ms / {engine_p95 * 1000:.0f} ms = {ratio:.2f}x'),
    ]
    for label, met, figure in targets:
        print(f"target {label}: {figure} ({'meets' if met else 'MISSES'} the target)")


if __name__ == '__main__':
    main()
