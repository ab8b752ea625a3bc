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
    'depends': ['esign_timestamp', 'esign_hsm', 'purchase', 'portal', 'mail', 'auth_totp', 'auth_oauth'],
    'external_dependencies': {'python': ['pyhanko']},
    'data': [
        'security/esign_security.xml',
        'security/ir.model.access.csv',
        'data/auth_oauth_data.xml',
        'views/esign_menus.xml',
        'views/res_config_settings_views.xml',
        'views/esign_access_refusal_views.xml',
        'views/res_config_settings_security_views.xml',
        'views/staff_access_refused_templates.xml',
    ],
    'demo': [
        'data/demo/esign_demo.xml',
    ],
    'application': True,
    'installable': True,
}
