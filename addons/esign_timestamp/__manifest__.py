{
    'name': 'E-Contract Timestamps (RFC 3161)',
    'summary': 'RFC 3161 timestamps from one or more timestamp authorities, '
               'stored tokens and batch verification',
    'version': '18.0.1.0.0',
    'category': 'Productivity/Electronic Contracts',
    'author': 'esign-municipal contributors',
    'website': 'https://github.com/esign-municipal/esign-municipal',
    'license': 'LGPL-3',
    'depends': ['base_setup'],
    'external_dependencies': {'python': ['asn1crypto', 'cryptography', 'pyhanko']},
    'data': [
    ],
    'installable': True,
}
