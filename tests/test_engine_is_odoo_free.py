"""The engine layer must run without Odoo (docs/architecture.md, 'Two layers')."""
import ast
import pathlib

REPO = pathlib.Path(__file__).resolve().parent.parent


def _imported_modules(path):
    tree = ast.parse(path.read_text(encoding='utf-8'), str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def test_no_engine_module_imports_odoo():
    # esign_hsm/testing runs without Odoo too: the engine tests and the benchmarks use it.
    engine_files = sorted(REPO.glob('esign_*/engine/**/*.py')) + sorted(REPO.glob('esign_hsm/testing/*.py'))
    assert engine_files, 'no engine module found'
    offenders = [f'{path.relative_to(REPO)} imports {name}'
                 for path in engine_files for name in _imported_modules(path)
                 if name == 'odoo' or name.startswith(('odoo.', 'esign_'))]
    assert not offenders, offenders
