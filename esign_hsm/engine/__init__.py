# Plain Python: nothing under engine/ imports odoo (docs/architecture.md, "Two layers").
