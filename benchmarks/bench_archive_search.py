"""契約書管理 search on 1,000,000 archived contracts: 取引先 + 取引年月日 range +
取引金額 range, through the ORM as the list view does (search_read with the
list's fields, limit 80, default order, as an auditor with the record rules
applied), against the same query in raw SQL, in the same run.

    .venv/bin/python benchmarks/bench_archive_search.py [--rows 1000000] [--keep]

Creates its own database (esign_municipal installed without demo data),
fills it with bulk SQL, prints p50/p95 of both and their ratio (target: ORM
p95 <= 50 ms), the query plan, and drops the database unless --keep.
"""
import argparse
import os
import pathlib
import random
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parent.parent
ODOO_SRC = pathlib.Path(os.environ.get('ODOO_SRC', '/opt/odoo18'))
ADDONS_PATH = ','.join([str(ODOO_SRC / 'addons'), str(ODOO_SRC / 'odoo' / 'addons'), str(REPO)])
DB_ARGS = ['--db_host', os.environ.get('PGHOST', '127.0.0.1'), '--db_port', os.environ.get('PGPORT', '5432')]
TARGET_P95_MS = 50.0


def odoo_conf(folder):
    kek = pathlib.Path(folder) / 'kek.key'
    kek.write_bytes(__import__('base64').b64encode(os.urandom(32)))
    conf = pathlib.Path(folder) / 'odoo.conf'
    conf.write_text(f'[options]\nesign_kek_file = {kek}\n')
    return str(conf)


def install(db, conf):
    print(f'Installing esign_municipal into {db} (no demo data) ...', flush=True)
    subprocess.run([sys.executable, str(ODOO_SRC / 'odoo-bin'), '-c', conf, '--addons-path', ADDONS_PATH, *DB_ARGS,
                    '-d', db, '-i', 'esign_municipal', '--without-demo=all', '--stop-after-init', '--no-http',
                    '--max-cron-threads', '0', '--log-level', 'warn'], check=True)


def open_env(db, conf):
    sys.path.insert(0, str(ODOO_SRC))
    import odoo
    from odoo import SUPERUSER_ID, api
    odoo.tools.config.parse_config(['-c', conf, '--addons-path', ADDONS_PATH, *DB_ARGS, '-d', db,
                                    '--log-level', 'warn'])
    registry = odoo.modules.registry.Registry(db)
    cr = registry.cursor()
    return api.Environment(cr, SUPERUSER_ID, {}), cr


def populate(env, cr, rows, partners):
    started = time.perf_counter()
    Partner = env['res.partner']
    companies = Partner.create([{'name': f'取引先 {n:05d} 株式会社', 'is_company': True} for n in range(partners)])
    # A contact under every tenth company: searching the company finds its contacts' contracts too.
    Partner.create([{'name': f'担当者 {n:05d}', 'parent_id': company.id}
                    for n, company in enumerate(companies) if n % 10 == 0])
    partner_ids = Partner.search([('id', 'in', companies.ids)]).ids + \
        Partner.search([('parent_id', 'in', companies.ids)]).ids
    types = env['esign.contract.type'].search([]).ids
    company = env.company
    auditor = env['res.users'].create({'name': 'Bench auditor', 'login': 'bench_auditor',
                                       'groups_id': [(6, 0, [env.ref('esign_municipal.group_esign_auditor').id])]})
    env.flush_all()
    cr.execute("""
        INSERT INTO esign_contract (number, name, reference, transaction_date, currency_id, amount, partner_id,
                                    contract_type_id, department, company_id, user_id, source, archived_at,
                                    retention_until, verification_state, create_uid, create_date, write_uid,
                                    write_date)
        SELECT lpad(g::text, 10, '0'),
               '業務委託契約 ' || g,
               CASE WHEN g %% 7 = 0 THEN 'K-' || g END,
               CASE WHEN random() < 0.02 THEN NULL ELSE date '2016-04-01' + (random() * 3650)::int END,
               %(currency)s,
               CASE WHEN random() < 0.02 THEN NULL ELSE round(exp(9 + random() * 9))::numeric END,
               CASE WHEN random() < 0.03 THEN NULL
                    WHEN random() < 0.10 THEN %(large)s
                    ELSE (%(partners)s::int[])[1 + floor(random() * %(partner_count)s)::int] END,
               (%(types)s::int[])[1 + floor(random() * %(type_count)s)::int],
               (ARRAY['総務課', '財政課', '土木課', '教育委員会', '福祉課'])[1 + floor(random() * 5)::int],
               %(company)s, %(user)s, 'registered',
               now() - (random() * interval '3650 days'), date '2036-04-01', 'unverified',
               1, now(), 1, now()
          FROM generate_series(1, %(rows)s) AS g
    """, {'currency': company.currency_id.id, 'partners': partner_ids, 'large': companies[0].id, 'partner_count': len(partner_ids),
          'types': types, 'type_count': len(types), 'company': company.id, 'user': auditor.id, 'rows': rows})
    cr.commit()
    # What autovacuum does to a table that is only ever inserted into (PostgreSQL 13+):
    # statistics, and the visibility map that index-only scans need.
    subprocess.run(['psql', '-h', DB_ARGS[1], '-p', DB_ARGS[3], '-d', cr.dbname, '-q',
                    '-c', 'VACUUM ANALYZE esign_contract', '-c', 'VACUUM ANALYZE res_partner'], check=True)
    print(f'{rows:,} contracts, {len(partner_ids):,} counterparties in {time.perf_counter() - started:.0f} s',
          flush=True)
    return auditor


def criteria(env, rng, partner_ids):
    """A clerk's combined search: one counterparty, a year, an amount band."""
    start = 2016 + rng.randrange(10)
    low = rng.choice([100_000, 300_000, 1_000_000])
    return {
        'partner': env['res.partner'].browse(rng.choice(partner_ids)),
        'date_from': f'{start}-04-01', 'date_to': f'{start + 1}-03-31',
        'amount_min': float(low), 'amount_max': float(low * rng.choice([10, 50, 100])),
    }


# name -> how the counterparty is chosen (the target applies to the first)
SCENARIOS = {
    'any counterparty': lambda ids: ids,
    'largest counterparty (10% of all)': lambda ids: ids[:1],
}


def list_fields(env):
    view = env.ref('esign_municipal.esign_contract_view_list')
    from lxml import etree
    return [node.get('name') for node in etree.fromstring(view.arch_db.encode()).iter('field')]


FILTER = """
     WHERE c.company_id IN %(companies)s
       AND c.partner_id IN (SELECT id FROM res_partner WHERE id = %(partner)s OR parent_id = %(partner)s)
       AND c.transaction_date >= %(date_from)s AND c.transaction_date <= %(date_to)s
       AND c.amount != 0 AND c.amount >= %(amount_min)s AND c.amount <= %(amount_max)s
"""
COLUMNS = """
    SELECT c.id, c.transaction_date, c.amount, c.currency_id, cur.name, c.partner_id, p.complete_name, c.number,
           c.name, c.contract_type_id, t.name->>'en_US', c.department, c.source, c.archived_at, c.retention_until,
           c.company_id, c.verification_state
"""
JOINS = """
      LEFT JOIN res_currency cur ON cur.id = c.currency_id
      LEFT JOIN res_partner p ON p.id = c.partner_id
      LEFT JOIN esign_contract_type t ON t.id = c.contract_type_id
"""
ORDER = ' ORDER BY c.transaction_date DESC NULLS LAST, c.id DESC '
# The query a developer would write: one statement.
RAW_ONE_STEP = COLUMNS + ' FROM esign_contract c ' + JOINS + FILTER + ORDER + ' LIMIT 80'
# What the ORM does (esign.contract.search_fetch): the page's ids first, then their columns.
RAW_TWO_STEPS = ('WITH page AS (SELECT c.id FROM esign_contract c ' + FILTER + ORDER + ' LIMIT 80) '
                 + COLUMNS + ' FROM page JOIN esign_contract c ON c.id = page.id ' + JOINS + ORDER)


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def run(env, cr, auditor, iterations, seed, choose):
    Contract = env['esign.contract'].with_user(auditor)
    fields = list_fields(env)
    # What the web client asks for: many2one fields with their display name.
    specification = {name: {'fields': {'display_name': {}}} if Contract._fields[name].type == 'many2one' else {}
                     for name in fields}
    partner_ids = choose(env['res.partner'].search([('name', '=like', '取引先 %')], order='id').ids)
    rng = random.Random(seed)
    searches = [criteria(env, rng, partner_ids) for _ in range(iterations)]
    orm, raw, raw_one, web, found = [], [], [], [], []
    for number, search in enumerate(searches):
        domain = Contract._esign_search_domain(**search)
        env.invalidate_all()
        started = time.perf_counter()
        rows = Contract.search_read(domain, fields, limit=80)
        orm.append((time.perf_counter() - started) * 1000)
        found.append(len(rows))
        env.invalidate_all()
        started = time.perf_counter()
        Contract.web_search_read(domain, specification, limit=80, count_limit=10001)
        web.append((time.perf_counter() - started) * 1000)
        params = {'companies': tuple(auditor.company_ids.ids), 'partner': search['partner'].commercial_partner_id.id,
                  'date_from': search['date_from'], 'date_to': search['date_to'],
                  'amount_min': search['amount_min'], 'amount_max': search['amount_max']}
        for query, timings in ((RAW_TWO_STEPS, raw), (RAW_ONE_STEP, raw_one)):
            started = time.perf_counter()
            cr.execute(query, params)
            raw_rows = cr.fetchall()
            timings.append((time.perf_counter() - started) * 1000)
            assert [r[0] for r in raw_rows] == [r['id'] for r in rows], f'search {number}: ORM and SQL disagree'
    return orm[10:], web[10:], raw[10:], raw_one[10:], found, searches[0]


def show_plan(env, cr, auditor, search):
    Contract = env['esign.contract'].with_user(auditor)
    query = Contract._search(Contract._esign_search_domain(**search), limit=80, order=Contract._order)
    sql = query.select()
    cr.execute(f'EXPLAIN (ANALYZE, BUFFERS) {sql.code}', sql.params)
    for (line,) in cr.fetchall():
        print('   ', line)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rows', type=int, default=1_000_000)
    parser.add_argument('--partners', type=int, default=5000)
    parser.add_argument('--iterations', type=int, default=210)
    parser.add_argument('--seed', type=int, default=7)
    parser.add_argument('--db', default=f'esign_bench_archive_{os.getpid()}')
    parser.add_argument('--keep', action='store_true', help='keep the database afterwards')
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        conf = odoo_conf(folder)
        install(args.db, conf)
        try:
            env, cr = open_env(args.db, conf)
            try:
                auditor = populate(env, cr, args.rows, args.partners)
                results = {name: run(env, cr, auditor, args.iterations, args.seed, choose)
                           for name, choose in SCENARIOS.items()}
                for name, (*_timings, first) in results.items():
                    print(f'\nPlan of the ORM query, {name} (first search):')
                    show_plan(env, cr, auditor, first)
            finally:
                cr.close()
                __import__('odoo').sql_db.close_all()
        finally:
            if not args.keep:
                subprocess.run(['dropdb', '-h', DB_ARGS[1], '-p', DB_ARGS[3], '--if-exists', args.db], check=False)

    print(f'\n契約書管理 combined search (取引先 + 取引年月日 range + 取引金額 range) on {args.rows:,} contracts, '
          f'as an auditor (record rules applied), {args.iterations - 10} searches each after 10 warm-up')
    for name, (orm, web, raw, raw_one, found, _first) in results.items():
        print(f'\n{name}: {statistics.mean(found):.1f} rows found on average (limit 80)')
        print(f'{"":30} {"p50 ms":>8} {"p95 ms":>8} {"max ms":>8}')
        for label, values in (('ORM search_read (list fields)', orm), ('ORM web_search_read + count', web),
                              ('raw SQL, same two steps', raw), ('raw SQL, in one statement', raw_one)):
            print(f'{label:30} {statistics.median(values):8.2f} {percentile(values, 0.95):8.2f} {max(values):8.2f}')
        p95 = percentile(orm, 0.95)
        print(f'ratio ORM / raw SQL (same two steps): p50 {statistics.median(orm) / statistics.median(raw):.2f}x, '
              f'p95 {p95 / percentile(raw, 0.95):.2f}x')
        print(f'target ORM p95 <= {TARGET_P95_MS:.0f} ms: {"met" if p95 <= TARGET_P95_MS else "NOT met"} '
              f'({p95:.2f} ms)')


if __name__ == '__main__':
    main()
