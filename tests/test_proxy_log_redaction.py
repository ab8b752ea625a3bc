"""The TLS proxy's access log (docker/proxy/nginx.conf) masks link tokens, as
Odoo's own access log does (esign_municipal/controllers/log_redaction.py).

nginx cannot run here: the map's regular expressions are applied with
Python's re (PCRE's (?<name>) written (?P<name>)), the way nginx would."""
import pathlib
import re

NGINX = (pathlib.Path(__file__).resolve().parent.parent / 'docker' / 'proxy' / 'nginx.conf').read_text()
TOKEN = 'yOhaGKqKACq8Rep7Q7n5wCl8Ph3j20GLbLE1si-5ZaM'


def _rules():
    block = re.search(r'map \$request_uri \$esign_log_uri \{(.*?)\n\}', NGINX, re.S).group(1)
    rules = []
    for pattern, value in re.findall(r'"~(.*?)"\s+"(.*?)";', block):
        rules.append((re.compile(pattern.replace('(?<', '(?P<').replace('\\\\', '\\')), value))
    return rules


def _logged(uri):
    for pattern, value in _rules():
        match = pattern.match(uri)
        if match:
            return re.sub(r'\$\{(\w+)\}', lambda m: match.group(m.group(1)), value)
    return uri


def test_every_server_logs_with_the_masking_format():
    servers = NGINX.count('server {')
    assert servers == NGINX.count('access_log /var/log/nginx/access.log esign_redacted;') == 2
    assert '$esign_log_uri' in re.search(r"log_format esign_redacted (.*?);", NGINX, re.S).group(1)
    assert '$request ' not in NGINX and '$request_uri"' not in NGINX


def test_link_tokens_are_masked_and_other_paths_kept():
    assert _logged(f'/esign/sign/12/{TOKEN}') == '/esign/sign/12/[redacted]'
    assert _logged(f'/esign/download/7/{TOKEN}?lang=ja_JP') == '/esign/download/7/[redacted]?lang=ja_JP'
    assert _logged(f'/my/orders/3?access_token={TOKEN}&report_type=pdf') == \
        '/my/orders/3?access_token=[redacted]&report_type=pdf'
    for kept in ('/esign/sign/12', '/esign/sign/12/document/4/pdf', '/esign/sign/12/complete',
                 '/web/assets/1b66f3d/web.assets_frontend.min.js'):
        assert _logged(kept) == kept
