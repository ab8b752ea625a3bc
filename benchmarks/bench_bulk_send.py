#!/usr/bin/env python3
"""Bulk send from purchase orders: 1,000 envelopes queued in one action (target <= 60 s).

On a fresh database with the three addons, it creates N confirmed purchase
orders (setup, not timed) and a template (a 2-page NDA with an invisible
signature for the contractor and the approver and a text field), then times:

- baseline: the same N envelopes with their two signers, created by bare ORM
  create() calls (what the bulk action cannot do with less);
- queue: the bulk action from the purchase order list (wizard + "Queue for
  sending"): envelopes, signers, template documents and fields, checks;
- drain: the send queue, batch after batch as the cron runs it (commit per
  batch): every PDF inspected and prepared with all its fields, a hashed link
  token per signer, the invitation queued as mail.mail, the chatter;
- order PDF: the purchase order's own report (wkhtmltopdf), per order, on a
  sample (--report-sample); the queue renders one per envelope when asked.

Usage: .venv/bin/python benchmarks/bench_bulk_send.py [--orders 1000] [--report-sample 10] [--keep-db]
(ODOO_SRC, PGHOST/PGPORT/PGUSER as for scripts/test.)
"""
import argparse
import json
import os
import pathlib
import subprocess
import sys
import tempfile
import uuid

REPO = pathlib.Path(__file__).resolve().parent.parent
ODOO_SRC = pathlib.Path(os.environ.get('ODOO_SRC', '/opt/odoo18'))
ADDONS_PATH = ','.join([str(ODOO_SRC / 'addons'), str(ODOO_SRC / 'odoo' / 'addons'), str(REPO)])
DB_ARGS = ['--db_host', os.environ.get('PGHOST', '127.0.0.1'), '--db_port', os.environ.get('PGPORT', '5432')]

# Runs inside `odoo-bin shell`; prints one JSON line.
SHELL_SCRIPT = r'''
import base64, io, json, time
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas
from odoo import Command

N, SAMPLE = {orders}, {sample}

def pdf(title, pages):
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4)
    for number in range(pages):
        c.drawString(72, 780, f'{{title}} {{number + 1}}/{{pages}}')
        for line in range(30):
            c.drawString(72, 740 - 20 * line, f'{{line + 1}}. The parties agree to the terms below.')
        c.showPage()
    c.save()
    return buffer.getvalue()

env['ir.config_parameter'].set_param('report.url', 'http://127.0.0.1:9')
officer = env['res.users'].create({{'name': 'Bench Officer', 'login': 'bench_officer', 'email': 'officer@bench.example',
    'groups_id': [Command.link(env.ref('esign_municipal.group_esign_user').id),
                  Command.link(env.ref('purchase.group_purchase_user').id)]}})
approver = env['res.users'].create({{'name': 'Bench Approver', 'login': 'bench_approver', 'email': 'approver@bench.example',
    'groups_id': [Command.link(env.ref('esign_municipal.group_esign_user').id)]}})
product = env['product.product'].create({{'name': 'Service', 'type': 'service', 'purchase_ok': True}})
vendors = env['res.partner'].create([{{'name': f'Vendor {{i}}', 'is_company': True, 'email': f'vendor{{i}}@bench.example'}}
                                     for i in range(N)])
orders = env['purchase.order'].create([{{'partner_id': vendor.id, 'user_id': officer.id,
    'order_line': [Command.create({{'product_id': product.id, 'product_qty': 1, 'price_unit': 1000 + i}})]}}
    for i, vendor in enumerate(vendors)])
orders.button_confirm()
template = env['esign.template'].create({{'name': 'NDA', 'role_ids': [
    Command.create({{'name': 'Contractor', 'role': 'contractor', 'signing_order': 1}}),
    Command.create({{'name': 'Approver', 'role': 'municipality', 'signing_order': 2}})]}})
document = env['esign.template.document'].create({{'template_id': template.id, 'name': 'NDA',
                                                   'pdf_file': base64.b64encode(pdf('NDA', 2))}})
contractor_role, approver_role = template.role_ids.sorted('signing_order')
env['esign.template.field'].create([
    {{'document_id': document.id, 'role_id': contractor_role.id, 'field_type': 'signature', 'page': 2}},
    {{'document_id': document.id, 'role_id': approver_role.id, 'field_type': 'signature', 'page': 2}},
    {{'document_id': document.id, 'role_id': contractor_role.id, 'field_type': 'text', 'page': 1, 'label': 'Name',
      'x1': 72, 'y1': 100, 'x2': 300, 'y2': 120}}])
env.cr.commit()

# Baseline: the envelopes and their signers, bare ORM creates.
Envelope = env['esign.envelope'].with_user(officer)
start = time.perf_counter()
base = Envelope.create([{{'name': o.name, 'purchase_order_id': o.id, 'company_id': o.company_id.id}} for o in orders])
env['esign.signer'].with_user(officer).create(
    [{{'envelope_id': e.id, 'partner_id': o.partner_id.id, 'role': 'contractor', 'signing_order': 1}} for e, o in zip(base, orders)]
    + [{{'envelope_id': e.id, 'partner_id': approver.partner_id.id, 'role': 'municipality', 'signing_order': 2}} for e in base])
env.flush_all()
baseline = time.perf_counter() - start
env.cr.rollback()

# The bulk action, as the officer does it from the list.
start = time.perf_counter()
action = orders.with_user(officer).action_esign_send()
wizard = env[action['res_model']].with_user(officer).with_context(action['context']).create(
    {{'approver_id': approver.id, 'template_id': template.id, 'include_order_report': False}})
wizard.action_send()
env.flush_all()
env.cr.commit()
queue = time.perf_counter() - start
queued = env['esign.envelope'].search_count([('send_queued', '=', True)])

# The queue, batch after batch, as the cron runs it.
start = time.perf_counter()
batches = 0
while env['esign.envelope']._cron_send_queued():
    env.cr.commit()
    batches += 1
env.cr.commit()
drain = time.perf_counter() - start
sent = env['esign.envelope'].search_count([('state', '=', 'sent')])
mails = env['mail.mail'].search_count([('model', '=', 'esign.signer')])

# The order's own PDF (wkhtmltopdf), per order, on a sample.
start = time.perf_counter()
orders[:SAMPLE]._esign_order_pdfs()
report_each = (time.perf_counter() - start) / max(SAMPLE, 1)
print('BENCH ' + json.dumps(dict(orders=N, baseline=baseline, queue=queue, queued=queued, drain=drain, batches=batches + 1,
                                 sent=sent, mails=mails, report_each=report_each, sample=SAMPLE)))
'''


def odoo(*args, stdin=None, conf=None):
    command = [sys.executable, str(ODOO_SRC / 'odoo-bin'), *args[:1], '--addons-path', ADDONS_PATH, *args[1:],
               *(['-c', conf] if conf else []), *DB_ARGS, '--no-http', '--max-cron-threads', '0', '--log-level', 'warn']
    result = subprocess.run(command, input=stdin, capture_output=True, text=True)
    if result.returncode:
        sys.exit(result.stderr[-4000:])
    return result.stdout


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--orders', type=int, default=1000)
    parser.add_argument('--report-sample', type=int, default=10)
    parser.add_argument('--keep-db', action='store_true')
    args = parser.parse_args()
    db = f'esign_bench_bulk_{uuid.uuid4().hex[:8]}'
    with tempfile.TemporaryDirectory() as tmp:
        kek = pathlib.Path(tmp) / 'kek.key'
        kek.write_bytes(__import__('base64').b64encode(os.urandom(32)))
        conf = pathlib.Path(tmp) / 'odoo.conf'
        conf.write_text(f'[options]\nesign_kek_file = {kek}\n')
        try:
            print(f'Creating {db} (the three addons, no demo data) ...', flush=True)
            odoo('--stop-after-init', '-d', db, '-i', 'esign_municipal', '--without-demo', 'all', conf=str(conf))
            print(f'Creating {args.orders} purchase orders, then timing ...', flush=True)
            out = odoo('shell', '-d', db, conf=str(conf),
                       stdin=SHELL_SCRIPT.format(orders=args.orders, sample=args.report_sample))
        finally:
            if not args.keep_db:
                subprocess.run(['dropdb', '-h', DB_ARGS[1], '-p', DB_ARGS[3], '--if-exists', db], check=False)
    line = next(line for line in out.splitlines() if line.startswith('BENCH '))
    r = json.loads(line[len('BENCH '):])
    n = r['orders']
    print()
    print(f"{'':<44}{'seconds':>10}{'ms/envelope':>14}")
    print(f"{'baseline: bare ORM create (envelope + 2 signers)':<44}{r['baseline']:>10.2f}{r['baseline'] / n * 1000:>14.1f}")
    print(f"{'bulk action: queue ' + str(n) + ' envelopes':<44}{r['queue']:>10.2f}{r['queue'] / n * 1000:>14.1f}")
    print(f"{'send queue drained (' + str(r['batches']) + ' batches)':<44}{r['drain']:>10.2f}{r['drain'] / n * 1000:>14.1f}")
    print(f"{'queue + drain':<44}{r['queue'] + r['drain']:>10.2f}{(r['queue'] + r['drain']) / n * 1000:>14.1f}")
    print(f"{'order PDF by wkhtmltopdf (sample of ' + str(r['sample']) + ')':<44}{'':>10}{r['report_each'] * 1000:>14.1f}")
    print()
    print(f"queued {r['queued']}, sent {r['sent']}, invitation mails queued {r['mails']}")
    print(f"bulk action / baseline: {r['queue'] / r['baseline']:.2f}x")
    verdict = 'meets' if r['queue'] <= 60 else 'MISSES'
    print(f"target: queue {n} envelopes in <= 60 s: {r['queue']:.1f} s ({verdict} the target)")
    print(f"with the order's own PDF in every envelope, draining adds about {r['report_each'] * n:.0f} s "
          f"(wkhtmltopdf, one run per order)")


if __name__ == '__main__':
    main()
