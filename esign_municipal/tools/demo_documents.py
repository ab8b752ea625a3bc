"""The demo's contract PDFs (機密保持契約書, 業務委託契約書, 送付状), drawn with reportlab.

Plain Python (no Odoo): text in Japanese with an embedded CJK font when one is
installed (fonts-ipaexfont), in English otherwise.
"""
import io
import os

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

CJK_FONT = '/usr/share/fonts/opentype/ipaexfont-mincho/ipaexm.ttf'
FONT_NAME = 'IPAexMincho'

# (title, pages of articles) in the order of the envelope's tabs.
DOCUMENTS = [
    ('機密保持契約書', [[
        '株式会社デモ建設（以下「乙」という。）とデモ市（以下「甲」という。）とは、',
        '甲または乙が相手方に開示する情報の秘密保持に関し、次のとおり契約を締結する。',
        '第1条（秘密情報）本契約において「秘密情報」とは、開示当事者が開示する一切の情報をいう。',
        '第2条（秘密保持）受領当事者は、秘密情報を秘密として保持し、第三者に開示しない。',
    ], [
        '第3条（有効期間）本契約の有効期間は、締結の日から1年間とする。',
        '本契約の成立を証するため、本書を電磁的記録により作成し、甲乙それぞれ保管する。',
    ]]),
    ('業務委託契約書', [[
        '甲は、電子契約サービスの運用業務（以下「本業務」という。）を乙に委託する。',
        '第1条（委託期間）2026年4月1日から2027年3月31日まで。',
        '第2条（委託料）金1,000,000円（消費税を含む。）',
    ]]),
    ('送付状', [[
        '株式会社デモ建設 御中',
        '下記の文書を電子契約にてお送りしますので、ご確認のうえ署名をお願いいたします。',
        '・機密保持契約書　・業務委託契約書',
    ]]),
]


def _font():
    if os.path.isfile(CJK_FONT):
        if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(FONT_NAME, CJK_FONT))
        return FONT_NAME
    return None


def document_pdfs():
    """[(title, PDF bytes)] for the demo envelope."""
    font = _font()
    result = []
    for title, pages in DOCUMENTS:
        buffer = io.BytesIO()
        pdf = canvas.Canvas(buffer, pagesize=A4)
        for number, lines in enumerate(pages, 1):
            pdf.setFont(font or 'Helvetica', 18)
            pdf.drawString(72, 770, title if font else f'Demo document {number}')
            pdf.setFont(font or 'Helvetica', 10.5)
            for row, line in enumerate(lines):
                pdf.drawString(72, 720 - row * 22, line if font else f'Article {row + 1}.')
            pdf.drawString(72, 60, f'{number}/{len(pages)}')
            pdf.showPage()
        pdf.save()
        result.append((title, buffer.getvalue()))
    return result
