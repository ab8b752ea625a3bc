"""Engine tests run without Odoo.

Importing `esign_municipal.engine.x` normally runs the addon's __init__.py,
which imports odoo. Register each addon folder as a bare namespace package
instead, so that only the (Odoo-free) engine modules are ever executed.
"""
import importlib.machinery
import pathlib
import sys
import types

ADDONS = pathlib.Path(__file__).resolve().parent.parent / 'addons'

for addon_dir in sorted(ADDONS.glob('esign_*')):
    package = types.ModuleType(addon_dir.name)
    package.__path__ = [str(addon_dir)]
    package.__spec__ = importlib.machinery.ModuleSpec(addon_dir.name, None, is_package=True)
    sys.modules.setdefault(addon_dir.name, package)


