#!/usr/bin/env python3
"""Regenerate the extractor samples in this directory.

    pip install python-docx openpyxl reportlab fpdf2 msoffcrypto-tool
    apt-get install fonts-droid-fallback        # only for cjk-type0.pdf
    python3 make_samples.py

The files are checked in, so the tests need none of this. Every sample is small (a few KB);
the texts are invented. Timestamps are pinned where the libraries allow it, so rerunning gives
(nearly) the same bytes.
"""

import copy
import datetime
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def out(name):
    return os.path.join(HERE, name)


def docx():
    from docx import Document
    from docx.oxml.ns import qn
    from lxml import etree

    d = Document()
    d.core_properties.created = datetime.datetime(2024, 1, 1)
    d.core_properties.modified = datetime.datetime(2024, 1, 1)
    d.sections[0].header.paragraphs[0].text = "机密 CONFIDENTIAL"
    d.sections[0].footer.paragraphs[0].text = "第 1 页"
    d.add_paragraph("固态电解质配方：硫化锂与五硫化二磷按摩尔比 7:3 混合，在 260 °C 下烧结 2 小时。")
    p = d.add_paragraph("Step 1")
    run = p.add_run()
    run.add_tab()
    run.add_text("mix the powders")
    run.add_break()
    run.add_text("under argon")

    # A tracked change: one inserted run, one deleted run.
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    p = d.add_paragraph("Sintering temperature: ")
    xml = (
        f'<w:root xmlns:w="{w}">'
        '<w:del w:id="1" w:author="a" w:date="2024-01-01T00:00:00Z">'
        '<w:r><w:delText>250 °C (old)</w:delText></w:r></w:del>'
        '<w:ins w:id="2" w:author="a" w:date="2024-01-01T00:00:00Z">'
        "<w:r><w:t>260 °C</w:t></w:r></w:ins>"
        "</w:root>"
    )
    for child in etree.fromstring(xml):
        p._p.append(child)

    t = d.add_table(rows=3, cols=3)
    rows = [["参数", "数值", "单位"], ["温度", "260", "°C"], ["时间", "2", "h"]]
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            t.cell(r, c).text = v
    # A second paragraph inside one cell: stays on the row's line.
    t.cell(2, 2).add_paragraph("(hours)")
    d.add_paragraph("End & done <ok>.")
    d.save(out("zh-table-revision.docx"))
    slim(out("zh-table-revision.docx"))


def slim(path):
    """Drop the parts python-docx's template brings that carry no text (styles, theme,
    thumbnail, ...), to keep the sample a few KB. Word opens the result."""
    import re
    import zipfile

    drop = re.compile(
        r"^(word/(styles|stylesWithEffects|theme/theme1|fontTable|webSettings|settings|numbering)\.xml"
        r"|docProps/thumbnail\.jpeg|customXml/.*)$"
    )
    with zipfile.ZipFile(path) as z:
        parts = [(i, z.read(i.filename)) for i in z.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for info, data in parts:
            if drop.match(info.filename):
                continue
            if info.filename.endswith(".rels") or info.filename == "[Content_Types].xml":
                text = data.decode("utf-8")
                text = re.sub(r"<(Relationship|Override)\b[^>]*?(Target|PartName)=\"/?"
                              r"(word/)?(styles|stylesWithEffects|theme/theme1|fontTable|webSettings"
                              r"|settings|numbering)\.xml\"[^>]*/>", "", text)
                text = re.sub(r"<(Relationship|Override)\b[^>]*?(thumbnail|customXml|itemProps)[^>]*/>",
                              "", text)
                data = text.encode("utf-8")
            z.writestr(info, data, zipfile.ZIP_DEFLATED)


def xlsx():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "工艺参数"
    ws.append(["参数", "数值", "备注"])
    ws.append(["配比", 0.35, "质量分数"])
    ws.append(["温度", 180, "°C"])
    ws.append(["收率", 0.025, None])
    ws["B4"].number_format = "0.0%"
    ws.append(["日期", datetime.date(2024, 3, 15), None])
    ws["B5"].number_format = "yyyy-mm-dd"
    ws.append(["误差", 0.1 + 0.2, 1e-7])
    ws.append([None, None, "gap", None, "far"])
    ws2 = wb.create_sheet("Notes")
    ws2["A1"] = "Confidential recipe"
    ws2["B3"] = "line one\nline two"
    ws2["A3"] = True
    wb.properties.created = datetime.datetime(2024, 1, 1)
    wb.properties.modified = datetime.datetime(2024, 1, 1)
    wb.save(out("two-sheets.xlsx"))


def pdfs():
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    # Latin text, two pages, compressed content streams.
    c = canvas.Canvas(out("latin.pdf"), pagesize=A4, invariant=1, pageCompression=1)
    c.setFont("Helvetica", 12)
    c.drawString(72, 770, "Trade secret: sinter at 260 C for 2 hours.")
    c.drawString(72, 752, "Second line, with a comma.")
    c.setFont("Times-Roman", 12)
    c.drawString(72, 700, "Caf\u00e9 \u2013 na\u00efve \u201cquotes\u201d")
    c.showPage()
    c.setFont("Helvetica", 12)
    c.drawString(72, 770, "Page two text.")
    c.save()

    # CJK with a predefined CMap (UniGB-UCS2-H), font not embedded.
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(out("cjk-stsong.pdf"), pagesize=A4, invariant=1)
    c.setFont("STSong-Light", 14)
    c.drawString(72, 770, "固态电解质配方：硫化锂与五硫化二磷")
    c.drawString(72, 750, "按摩尔比 7:3 混合")
    c.save()

    # Encrypted with a user password.
    c = canvas.Canvas(out("encrypted.pdf"), pagesize=A4, invariant=1, encrypt="secret")
    c.setFont("Helvetica", 12)
    c.drawString(72, 770, "You cannot read this without the password.")
    c.save()

    # Encrypted with an owner password only: opens without a password, like many
    # "copy-protected" PDFs.
    from reportlab.lib.pdfencrypt import StandardEncryption

    enc = StandardEncryption(userPassword="", ownerPassword="owner", canCopy=0)
    c = canvas.Canvas(out("owner-only.pdf"), pagesize=A4, invariant=1, encrypt=enc)
    c.setFont("Helvetica", 12)
    c.drawString(72, 770, "Readable without a password.")
    c.save()

    # A "scanned" page: one image, no text.
    from reportlab.lib.utils import ImageReader
    from PIL import Image

    img = Image.new("L", (8, 8), 200)
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    buf.seek(0)
    c = canvas.Canvas(out("scanned.pdf"), pagesize=A4, invariant=1)
    c.drawImage(ImageReader(buf), 72, 600, 200, 200)
    c.save()


def cjk_type0():
    """Type0 / CIDFontType2 / Identity-H with a ToUnicode CMap and an embedded subset
    TrueType font: what Word and WPS write for Chinese text."""
    from fpdf import FPDF

    font = "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
    if not os.path.exists(font):
        print("skipping cjk-type0.pdf: no", font, file=sys.stderr)
        return
    pdf = FPDF()
    pdf.set_creation_date(datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc))
    pdf.add_page()
    pdf.add_font("droid", fname=font)
    # Droid Sans Fallback has no Latin glyphs: DejaVu Sans (also a Type0 font) fills in.
    pdf.add_font("dejavu", fname="/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    pdf.set_fallback_fonts(["dejavu"])
    pdf.set_font("droid", size=14)
    pdf.cell(text="固态电解质配方：硫化锂与五硫化二磷")
    pdf.ln(10)
    pdf.cell(text="按摩尔比 7:3 混合, sinter at 260 °C")
    pdf.output(out("cjk-type0.pdf"))


def handmade_pdf():
    """An uncompressed PDF written by hand: a simple font with /Differences, a Type0 font
    with Identity-H and a ToUnicode CMap, TJ kerning, a Form XObject, an inline image and an
    image XObject, two content streams. Uncompressed, so that the never-panic test's
    mutations land in content streams and CMaps rather than in Flate data."""
    def stream(dict_, data):
        return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dict_, len(data), data)

    content1 = b"""BT /F1 12 Tf 72 760 Td (Hello) Tj [( W) 20 (orld)] TJ 0 -20 Td [(Kern) -300 (gap)] TJ ET
BT /F1 12 Tf 72 720 Td <80> Tj (nd the ) Tj <81> Tj (quote) Tj <82> Tj ET
BT /F2 14 Tf 72 690 Td <0003000400050006> Tj ET
BT /F2 14 Tf 72 670 Td [<0010> -1000 <0011>] TJ ET
q 1 0 0 1 100 600 cm /Fm1 Do Q
BI /W 1 /H 1 /BPC 8 /CS /G ID x EI
q 10 0 0 10 300 300 cm /Im1 Do Q"""
    content2 = b"BT /F1 12 Tf 14 TL 72 500 Td (Second stream) Tj (next line) ' ET"
    form = b"BT /F1 10 Tf 0 0 Td (Inside a form) Tj ET"
    cmap = b"""/CIDInit /ProcSet findresource begin
12 dict begin
begincmap
/CMapName /Adobe-Identity-UCS def
/CMapType 2 def
1 begincodespacerange
<0000> <FFFF>
endcodespacerange
4 beginbfchar
<0003> <914D>
<0004> <65B9>
<0005> <4FDD>
<0006> <5BC6>
endbfchar
1 beginbfrange
<0010> <0012> <0030>
endbfrange
endcmap
CMapName currentdict /CMap defineresource pop
end
end"""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R "
        b"/F2 5 0 R >> /XObject << /Fm1 8 0 R /Im1 10 0 R >> >> /Contents [6 0 R 11 0 R] >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Type /Encoding "
        b"/BaseEncoding /WinAnsiEncoding /Differences [128 /fi /quotedblleft /quotedblright] >> >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /ABCDEF+SimSun /Encoding /Identity-H "
        b"/DescendantFonts [7 0 R] /ToUnicode 12 0 R >>",
        stream(b"", content1),
        b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /ABCDEF+SimSun /DW 1000 "
        b"/W [16 [500 500 500]] /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) "
        b"/Supplement 0 >> >>",
        stream(b"/Type /XObject /Subtype /Form /BBox [0 0 200 50] "
               b"/Resources << /Font << /F1 4 0 R >> >>", form),
        b"null",
        stream(b"/Type /XObject /Subtype /Image /Width 1 /Height 1 /ColorSpace /DeviceGray "
               b"/BitsPerComponent 8", b"x"),
        stream(b"", content2),
        stream(b"", cmap),
    ]
    pdf = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (i, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for o in offsets:
        pdf += b"%010d 00000 n \n" % o
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    with open(out("handmade.pdf"), "wb") as w:
        w.write(pdf)


def deck_pptx():
    """A minimal presentation written by hand (python-pptx's template alone is ~30 KB): one
    slide with a text box and a table, speaker notes."""
    import zipfile

    ns = ('xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
          'xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
          'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    parts = {
        "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
        "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="ppt/presentation.xml"/></Relationships>',
        "ppt/presentation.xml": f'<p:presentation {ns}><p:sldIdLst><p:sldId id="256" r:id="rId1"/></p:sldIdLst></p:presentation>',
        "ppt/_rels/presentation.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       f'<Relationship Id="rId1" Type="{rel}/slide" Target="slides/slide1.xml"/></Relationships>',
        "ppt/slides/slide1.xml": f'<p:sld {ns}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>工艺配方 Process recipe</a:t></a:r>'
                       '<a:br/><a:r><a:t>260 °C, 2 h</a:t></a:r></a:p></p:txBody></p:sp><p:graphicFrame><a:graphic><a:graphicData>'
                       '<a:tbl><a:tr><a:tc><a:txBody><a:p><a:r><a:t>参数</a:t></a:r></a:p></a:txBody></a:tc><a:tc><a:txBody><a:p>'
                       '<a:r><a:t>0.35</a:t></a:r></a:p></a:txBody></a:tc></a:tr></a:tbl></a:graphicData></a:graphic></p:graphicFrame>'
                       '</p:spTree></p:cSld></p:sld>',
        "ppt/slides/_rels/slide1.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                       f'<Relationship Id="rId2" Type="{rel}/notesSlide" Target="../notesSlides/notesSlide1.xml"/></Relationships>',
        "ppt/notesSlides/notesSlide1.xml": f'<p:notes {ns}><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>Do not share.</a:t>'
                       '</a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:notes>',
    }
    with zipfile.ZipFile(out("deck.pptx"), "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            z.writestr(zipfile.ZipInfo(name, (2024, 1, 1, 0, 0, 0)), text.encode("utf-8"), zipfile.ZIP_DEFLATED)


def encrypted_docx():
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = io.BytesIO(open(out("zh-table-revision.docx"), "rb").read())
    f = OOXMLFile(plain)
    with open(out("encrypted.docx"), "wb") as w:
        f.encrypt("secret", w)


def texts():
    text = "固态电解质配方\r\n硫化锂与五硫化二磷按摩尔比 7:3 混合。\r\n"
    with open(out("gbk.txt"), "wb") as w:
        w.write(text.encode("gbk"))
    with open(out("utf16le-bom.txt"), "wb") as w:
        w.write(b"\xff\xfe" + "Recipe 配方\r\nline 2\n".encode("utf-16-le"))


if __name__ == "__main__":
    docx()
    xlsx()
    pdfs()
    cjk_type0()
    handmade_pdf()
    deck_pptx()
    encrypted_docx()
    texts()
