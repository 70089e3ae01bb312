#!/usr/bin/env python3
"""Yardstick for `jixiao check`: what a user scripting this today would write.

Reads every .docx under the given folder with python-docx and extracts the text of every
table cell (no checking at all). Prints the number of files and cells.
"""
import os
import sys

import docx  # python-docx


def main(root: str) -> None:
    files = 0
    cells = 0
    for dirpath, _, names in os.walk(root):
        for name in sorted(names):
            if not name.endswith(".docx"):
                continue
            document = docx.Document(os.path.join(dirpath, name))
            for table in document.tables:
                for row in table.rows:
                    for cell in row.cells:
                        _ = cell.text
                        cells += 1
            files += 1
    print(f"{files} files, {cells} cells")


if __name__ == "__main__":
    main(sys.argv[1])
