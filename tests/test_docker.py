"""docker/ cannot run here: check that it installs what the project needs."""
import pathlib
import re

import yaml

REPO = pathlib.Path(__file__).resolve().parent.parent
DOCKERFILE = (REPO / 'docker' / 'Dockerfile').read_text()


def _run_lines():
    # join continuation lines, keep RUN instructions
    joined = re.sub(r'\\\n', ' ', DOCKERFILE)
    return [line for line in joined.splitlines() if line.startswith('RUN ')]


def test_dockerfile_is_based_on_official_odoo_18():
    assert re.search(r'^FROM odoo:18\.0\s*$', DOCKERFILE, re.M)


def test_python_dependencies_come_from_requirements_txt():
    copied = re.search(r'^COPY requirements\.txt (\S+)$', DOCKERFILE, re.M)
    assert copied, 'the Dockerfile must copy requirements.txt'
    pip_lines = [line for line in _run_lines() if 'pip' in line and 'install' in line]
    assert len(pip_lines) == 1
    args = pip_lines[0].split()
    # Exactly the requirements file: no extra package slipping past requirements.txt.
    install_args = [arg for arg in args[args.index('install') + 1:] if not arg.startswith('--')]
    assert install_args[:2] == ['-r', copied.group(1)], install_args
    assert all(arg in ('&&', 'rm', copied.group(1)) for arg in install_args[2:]), install_args


def test_requirements_pin_what_pyhanko_needs():
    pins = {}
    for line in (REPO / 'requirements.txt').read_text().splitlines():
        line = line.split('#')[0].split(';')[0].strip()
        if '==' in line:
            name, version = line.split('==')
            pins[name.split('[')[0].lower()] = version
    for name in ('cryptography', 'pyopenssl', 'pyhanko', 'pyhanko-certvalidator', 'python-pkcs11'):
        assert name in pins, name
    assert tuple(int(x) for x in pins['cryptography'].split('.')[:2]) >= (43, 0)


def test_image_has_a_cjk_font_and_the_pdf_tools():
    apt = ' '.join(line for line in _run_lines() if 'apt-get install' in line)
    assert 'fonts-ipaexfont' in apt or 'fonts-noto-cjk' in apt
    assert 'poppler-utils' in apt


def test_compose_has_postgres_and_persistent_volumes():
    compose = yaml.safe_load((REPO / 'docker' / 'docker-compose.yml').read_text())
    services = compose['services']
    assert services['db']['image'].startswith('postgres:')
    assert services['odoo']['build']['dockerfile'] == 'docker/Dockerfile'
    named = {volume.split(':')[0] for service in services.values() for volume in service.get('volumes', [])
             if not volume.startswith(('.', '/'))}
    assert {'db-data', 'odoo-data', 'backups'} <= named <= set(compose['volumes'])
    assert any(volume.startswith('db-data:') for volume in services['db']['volumes'])
    assert any(volume.startswith('odoo-data:/var/lib/odoo') for volume in services['odoo']['volumes'])


def test_tls_proxy_in_front_of_odoo_in_proxy_mode():
    compose = yaml.safe_load((REPO / 'docker' / 'docker-compose.yml').read_text())
    services = compose['services']
    assert '443:443' in services['proxy']['ports']
    assert 'ports' not in services['odoo'], 'Odoo must only be reachable through the TLS proxy'
    nginx = (REPO / 'docker' / 'proxy' / 'nginx.conf').read_text()
    assert 'listen 443 ssl' in nginx and 'return 301 https://' in nginx
    assert 'X-Forwarded-Proto $scheme' in nginx and 'X-Forwarded-Host $host' in nginx
    assert 'proxy_pass http://odoo_websocket' in nginx
    conf = (REPO / 'docker' / 'odoo.conf').read_text()
    assert re.search(r'^proxy_mode\s*=\s*True$', conf, re.M)


def test_backup_service_runs_the_backup_script_daily():
    compose = yaml.safe_load((REPO / 'docker' / 'docker-compose.yml').read_text())
    backup = compose['services']['backup']
    assert backup['command'] == ['esign-backup-daily']
    assert 'odoo-data:/var/lib/odoo:ro' in backup['volumes']
    assert {'KEEP_DAILY', 'KEEP_MONTHLY', 'KEEP_YEARLY'} <= set(backup['environment'])


def test_every_addon_is_copied_into_the_image():
    addons = sorted(path.name for path in REPO.glob('esign_*') if (path / '__manifest__.py').is_file())
    assert addons == ['esign_hsm', 'esign_municipal', 'esign_timestamp']
    for addon in addons:
        assert re.search(rf'^COPY {addon}/ /mnt/esign-addons/{addon}/$', DOCKERFILE, re.M), addon
