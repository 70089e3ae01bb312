#!/usr/bin/env python3
"""Writes the hostile-size files of issue 10 into a folder, for bench/limits.sh.

* form-100k.txt   the seed filing with 100,000 indicator rows in its first project form
                  (4.2 MB of text; a real form has tens)
* cells-2m.html   a saved web page with one table of 2,000,000 cells (10.7 MB)
* cells-1m.docx   a Word document with one table of 1,000,000 cells (1.2 MB zipped)
* rows-1m.xlsx    a workbook with 1,000,000 rows of two cells each (7.5 MB zipped)

Only the Python standard library is used (zipfile writes the Office packages).

Usage: bench/hostile.py OUT_DIR [--rows N]   (N: indicator rows of form-100k.txt)
"""
import argparse
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
SEED = os.path.join(HERE, "..", "examples", "seed-2023-shifeng-tongzhanbu.txt")

# One indicator row of the Word text dump (see crates/files/src/read/text.rs): a group of
# TAB-started cells ended by a blank line.
ROW = "\t\n\t\n\t数量指标\n\t指标{n}\n\t不断加强\n\t计划标准\n\n"


def form_text(rows):
    seed = open(SEED, encoding="utf-8").read()
    # Insert after the first data row of the first project form's indicator table.
    anchor = "\t\n\t产出指标\n\t数量指标\n\t搭建交流平台\n\t2个\n\t计划标准\n\n"
    at = seed.index(anchor) + len(anchor)
    extra = "".join(ROW.format(n=i) for i in range(rows))
    return seed[:at] + extra + seed[at:]


def html_cells(cells, per_row=10):
    out = ["<html><head><meta charset=utf-8></head><body><table>"]
    for r in range(cells // per_row):
        out.append("<tr>" + "<td>1" * per_row)
    out.append("</table></body></html>")
    return "".join(out)


CONTENT_TYPES_DOCX = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
RELS_DOCX = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def docx_cells(path, cells, per_row=10):
    cell = "<w:tc><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc>"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES_DOCX)
        z.writestr("_rels/.rels", RELS_DOCX)
        with z.open("word/document.xml", "w") as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                b"<w:body><w:tbl>"
            )
            for r in range(0, cells // per_row, 1000):
                rows = (
                    "<w:tr>" + "".join(cell.format((i * per_row + c) % 9973) for c in range(per_row)) + "</w:tr>"
                    for i in range(r, r + 1000)
                )
                f.write("".join(rows).encode())
            f.write(b"</w:tbl></w:body></w:document>")


CONTENT_TYPES_XLSX = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "</Types>"
)
RELS_XLSX = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
)


def xlsx_rows(path, rows):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES_XLSX)
        z.writestr("_rels/.rels", RELS_XLSX)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w") as f:
            f.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData>"
            )
            buf = []
            for r in range(1, rows + 1):
                buf.append(
                    f'<row r="{r}"><c><v>{r}</v></c><c><v>{r % 977}</v></c></row>'
                )
                if len(buf) == 10000:
                    f.write("".join(buf).encode())
                    buf = []
            f.write("".join(buf).encode())
            f.write(b"</sheetData></worksheet>")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out")
    ap.add_argument("--rows", type=int, default=100_000)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "form-100k.txt"), "w", encoding="utf-8") as f:
        f.write(form_text(a.rows))
    with open(os.path.join(a.out, "cells-2m.html"), "w", encoding="utf-8") as f:
        f.write(html_cells(2_000_000))
    docx_cells(os.path.join(a.out, "cells-1m.docx"), 1_000_000)
    xlsx_rows(os.path.join(a.out, "rows-1m.xlsx"), 1_000_000)
    for name in sorted(os.listdir(a.out)):
        p = os.path.join(a.out, name)
        print(f"{name}\t{os.path.getsize(p):,} bytes")


if __name__ == "__main__":
    main()
