"""copydetect runner for bench/similarity.sh.

    VENV/bin/python bench/similarity/copydetect_pairs.py [--disable-filtering] < pairs.tsv > scores.tsv

Reads `left<TAB>right` lines (grouped by left). For each left it runs copydetect's documented
Python API, `CopyDetector`, with its defaults (noise threshold 25, guarantee threshold 25, so
winnowing window 1; files tokenised by their extension through Pygments, plain text compared as
characters) and the rights as test files, the left as the one reference file — so only the
left-versus-right comparisons are made. Writes `left<TAB>right<TAB>score<TAB>sim_right<TAB>sim_left`
per pair, where sim_right is the share of the right file's tokens found in the left (the "test
similarity" copydetect's HTML report ranks by), sim_left the converse, and score is the larger of
the two (symmetric, so neither side's length decides; same rule as for SIM).

--disable-filtering (copydetect's own option, CLI `-d`) compares the raw text instead of the
Pygments token stream. It is needed for plain text: copydetect 0.5.0 means to leave .txt files
untokenised, but its check (`lexer == pygments.lexers.TextLexer`) compares a lexer instance with
the class, so the text goes through the filter, which drops every plain-text token — every .txt
file becomes empty and every pair scores 0.
"""
import logging
import sys
from collections import OrderedDict

from copydetect import CopyDetector

logging.disable(logging.WARNING)  # "did not tokenize plaintext file" for every .txt

disable_filtering = "--disable-filtering" in sys.argv[1:]
groups = OrderedDict()
for line in sys.stdin:
    line = line.rstrip("\n")
    if not line.strip():
        continue
    left, right = line.split("\t")[:2]
    groups.setdefault(left, []).append(right)

out = sys.stdout
for left, rights in groups.items():
    det = CopyDetector(test_dirs=[], ref_dirs=[], silent=True, autoopen=False,
                       disable_filtering=disable_filtering)
    for r in rights:
        det.add_file(r, "test")
    det.add_file(left, "ref")
    det.run()
    ref_idx = det.ref_files.index(left)
    for r in rights:
        i = det.test_files.index(r)
        sim_right, sim_left = det.similarity_matrix[i, ref_idx]
        sim_right, sim_left = max(float(sim_right), 0.0), max(float(sim_left), 0.0)
        out.write(f"{left}\t{r}\t{max(sim_right, sim_left)}\t{sim_right}\t{sim_left}\n")
