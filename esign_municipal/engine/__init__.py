# Plain Python: nothing under engine/ imports odoo (see DESIGN.md).
