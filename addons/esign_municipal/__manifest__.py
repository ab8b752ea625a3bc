{
    'name': 'Electronic Contracts for Municipalities',
    'summary': 'Witness-type electronic contracts: envelopes sent from purchase '
               'orders, signed in the portal, PAdES with timestamps and LTV, '
               'archived for the Electronic Books Maintenance Act',
    'version': '18.0.1.0.0',
    'category': 'Productivity/Electronic Contracts',
    'author': 'esign-municipal contributors',
    'website': 'https://github.com/esign-municipal/esign-municipal',
    'license': 'LGPL-3',
    'depends': ['esign_timestamp', 'esign_hsm', 'purchase', 'portal', 'mail'],
    'external_dependencies': {'python': ['pyhanko']},
    'data': [
        'security/esign_security.xml',
        'security/ir.model.access.csv',
        'views/esign_menus.xml',
        'views/res_config_settings_views.xml',
    ],
    'demo': [
        'data/demo/esign_demo.xml',
    ],
    'application': True,
    'installable': True,
}
