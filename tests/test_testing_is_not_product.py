"""The product never imports the demo and test parts (esign_hsm/testing: the
DEMO - UNTRUSTED PKI, loopback servers, SoftHSM tokens).

Only tests, benchmarks and the demo data's own code may: a module-level
import would load them in every production server, so production modules may
import the testing package only inside a function whose name says demo.
"""
import ast
import pathlib

REPO = pathlib.Path(__file__).resolve().parent.parent


def _product_modules():
    for path in sorted(REPO.glob('esign_*/**/*.py')):
        parts = path.relative_to(REPO).parts
        if 'tests' in parts or parts[1] == 'testing':
            continue
        yield path


def _imports_testing(node):
    if isinstance(node, ast.ImportFrom):
        module = node.module or ''
        return module == 'testing' or module.startswith('testing.') or '.testing' in f'.{module}' \
            or any(alias.name == 'testing' for alias in node.names)
    if isinstance(node, ast.Import):
        return any('.testing' in f'.{alias.name}' for alias in node.names)
    return False


def _offenders(path):
    tree = ast.parse(path.read_text(encoding='utf-8'), str(path))
    found = []

    def visit(node, function=None):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                visit(child, child.name)
            elif _imports_testing(child) and not (function and 'demo' in function.lower()):
                found.append(f'{path.relative_to(REPO)}:{child.lineno} ({function or "module level"})')
            else:
                visit(child, function)

    visit(tree)
    return found


def test_product_code_never_imports_the_testing_package():
    modules = list(_product_modules())
    assert len(modules) > 50
    offenders = [where for path in modules for where in _offenders(path)]
    assert not offenders, offenders


def test_the_check_sees_an_import():
    sample = REPO / 'esign_hsm' / 'models' / 'esign_demo_pki.py'
    tree = ast.parse(sample.read_text(encoding='utf-8'))
    assert any(_imports_testing(node) for node in ast.walk(tree)), 'the demo PKI model imports testing lazily'
