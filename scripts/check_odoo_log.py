"""Reads the log of an Odoo test run and fails unless it is clean.

Odoo ends a run with "0 failed, 0 error(s)" even when a browser tour was
skipped (no Chromium, no websocket-client), so this also fails on any
skipped test, and on an addon none of whose tests ran.
"""
import re
import sys

LINE = re.compile(r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) \S+ (?P<logger>[\w.]+): (?P<msg>.*)$')
SUMMARY = re.compile(r'(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<total>\d+) tests')


def check(path, addons):
    problems = []
    ran = {addon: 0 for addon in addons}
    summaries = []
    with open(path, encoding='utf-8', errors='replace') as log:
        for number, raw in enumerate(log, 1):
            line = raw.rstrip('\n')
            match = LINE.match(line)
            if not match:
                continue
            level, logger, msg = match['level'], match['logger'], match['msg']
            if level in ('ERROR', 'CRITICAL'):
                problems.append(f'line {number}: {line}')
            for addon in addons:
                if logger.startswith(f'odoo.addons.{addon}.tests') and msg.startswith('Starting '):
                    ran[addon] += 1
                if logger.startswith(f'odoo.addons.{addon}') and msg.startswith('skipped '):
                    problems.append(f'line {number}: skipped test counts as a failure: {msg}')
            if 'Chrome' in msg and 'not' in msg and level == 'WARNING':
                problems.append(f'line {number}: {msg}')
            summary = SUMMARY.search(msg)
            if summary:
                summaries.append(summary)
    for summary in summaries:
        if int(summary['failed']) or int(summary['errors']):
            problems.append(f"Odoo reported {summary['failed']} failed, {summary['errors']} error(s)")
    if not summaries:
        problems.append('Odoo printed no test summary: the run did not finish')
    for addon, count in ran.items():
        if not count:
            problems.append(f'no test of {addon} ran')
    return problems, ran


def main():
    path, addons = sys.argv[1], sys.argv[2:]
    problems, ran = check(path, addons)
    print('Odoo tests run: ' + ', '.join(f'{addon} {count}' for addon, count in ran.items()))
    if problems:
        print('Odoo test run is NOT clean:', file=sys.stderr)
        for problem in problems:
            print('  ' + problem, file=sys.stderr)
        sys.exit(1)


if __name__ == '__main__':
    main()
