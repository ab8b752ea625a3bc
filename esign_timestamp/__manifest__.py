{
    'name': 'E-Contract Timestamps (RFC 3161)',
    'summary': 'RFC 3161 timestamps from one or more timestamp authorities, '
               'stored tokens and batch verification',
    'version': '18.0.1.1.0',
    'category': 'Productivity/Electronic Contracts',
    'author': 'esign-municipal contributors',
    'website': 'https://github.com/esign-municipal/esign-municipal',
    'license': 'LGPL-3',
    'depends': ['base_setup', 'esign_hsm'],
    'external_dependencies': {'python': ['asn1crypto', 'cryptography', 'pyhanko', 'pyhanko-certvalidator', 'requests']},
    'data': [
        'security/ir.model.access.csv',
        'security/esign_timestamp_security.xml',
        'data/ir_cron.xml',
        'views/esign_tsa_views.xml',
        'views/esign_timestamp_token_views.xml',
        'wizard/esign_timestamp_verify_views.xml',
        'views/esign_timestamp_menus.xml',
        'views/res_config_settings_views.xml',
    ],
    'demo': [
        'demo/esign_timestamp_demo.xml',
    ],
    'installable': True,
}
