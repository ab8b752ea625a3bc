"""Each addon's manifest lists the Python packages (distributions) its code
imports, so that Odoo refuses to install it where one is missing, with the
package's name, instead of failing later on an import."""
import ast
import importlib.metadata
import pathlib
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parent.parent
ADDONS = sorted(path.name for path in REPO.glob('esign_*') if (path / '__manifest__.py').is_file())


def _top_level_imports(addon):
    for path in (REPO / addon).rglob('*.py'):
        parts = path.relative_to(REPO / addon).parts
        if parts[0] in ('tests', 'testing'):
            continue  # test-only packages (pytest, aiosmtpd ...) are in requirements-test.txt
        for node in ast.walk(ast.parse(path.read_text(encoding='utf-8'))):
            if isinstance(node, ast.Import):
                yield from (alias.name.split('.')[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                yield node.module.split('.')[0]


@pytest.mark.parametrize('addon', ADDONS)
def test_external_dependencies_list_every_imported_package(addon):
    manifest = ast.literal_eval((REPO / addon / '__manifest__.py').read_text(encoding='utf-8'))
    declared = {name.lower() for name in manifest['external_dependencies']['python']}
    distributions = importlib.metadata.packages_distributions()
    needed = set()
    for module in set(_top_level_imports(addon)):
        if module in sys.stdlib_module_names or module == 'odoo':
            continue
        assert module in distributions, f'{addon} imports {module}, which no installed package provides'
        needed.update(name.lower() for name in distributions[module])
    assert needed == declared, f'missing: {sorted(needed - declared)}, not imported: {sorted(declared - needed)}'
