"""The report stylesheet (screen, print and ``@page`` rules), scoped by ``.ob-report``.

Kept as a Python string so importing the package reads no file.
"""

from __future__ import annotations

from oncoboard.cli._console import DISCLAIMER

__all__ = ["REPORT_CSS"]

_BODY = """
.ob-report { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif;
  font-size: 10pt; line-height: 1.35; color: #111; max-width: 60rem; margin: 0 auto;
  overflow-wrap: anywhere; }
.ob-report * { box-sizing: border-box; }
.ob-report h1 { font-size: 16pt; margin: 0.2em 0 0.3em; }
.ob-report h2 { font-size: 13pt; margin: 1.2em 0 0.4em; padding-bottom: 0.15em;
  border-bottom: 2px solid #0072B2; break-after: avoid; page-break-after: avoid; }
.ob-report h3 { font-size: 11pt; margin: 0.9em 0 0.3em; break-after: avoid; }
.ob-report p { margin: 0.3em 0; }
.ob-report .ob-disclaimer { border: 2px solid #D55E00; background: #fff4ec; padding: 0.4em 0.6em;
  font-weight: bold; margin: 0.4em 0 0.8em; }
.ob-report .ob-meta { color: #333; }
.ob-report .ob-empty { font-style: italic; color: #444; }
.ob-report .ob-not-tested { font-weight: bold; color: #8a3b00; }
.ob-report table { width: 100%; table-layout: fixed; border-collapse: collapse;
  margin: 0.3em 0 0.8em; font-size: 8.5pt; }
.ob-report th, .ob-report td { border: 1px solid #bbb; padding: 0.2em 0.35em; text-align: left;
  vertical-align: top; overflow-wrap: anywhere; word-break: break-word; hyphens: auto; }
.ob-report th { background: #e8f1f8; }
.ob-report tr { break-inside: avoid; page-break-inside: avoid; }
.ob-report thead { display: table-header-group; }
.ob-report ul { margin: 0.2em 0 0.2em 1.2em; padding: 0; }
.ob-report li { margin: 0.1em 0; }
.ob-report .ob-evidence { font-size: 8pt; color: #333; margin: 0.1em 0 0 1em; }
.ob-report .ob-evidence li { list-style: square; }
.ob-report .ob-cites { font-size: 8pt; color: #333; }
.ob-report .ob-cites a { color: inherit; text-decoration: none; }
.ob-report .ob-references { font-size: 8pt; padding-left: 2.2em; }
.ob-report .ob-unverified { color: #8a3b00; font-weight: bold; }
.ob-report .ob-verified { color: #00603f; }
.ob-report .ob-option { border: 1px solid #bbb; border-left: 4px solid #0072B2;
  padding: 0.3em 0.6em; margin: 0.4em 0; break-inside: avoid-page; }
.ob-report ol.ob-options { list-style: none; margin: 0; padding: 0; }
.ob-report .ob-option h3 { margin-top: 0.1em; }
.ob-report .ob-alert { border-left: 4px solid #D55E00; padding: 0.2em 0.6em; margin: 0.4em 0;
  background: #fffaf5; }
.ob-report figure { margin: 0.5em 0 1em; break-inside: avoid; page-break-inside: avoid; }
.ob-report figure svg, .ob-report svg.ob-plot-svg { display: block; max-width: 100%;
  width: 100%; height: auto; }
.ob-report figcaption { font-size: 8pt; color: #333; margin-top: 0.2em; }
.ob-report .ob-kv { display: grid; grid-template-columns: 12em 1fr; gap: 0.1em 0.8em; }
.ob-report .ob-badge { display: inline-block; padding: 0 0.4em; border-radius: 3px;
  background: #e8f1f8; border: 1px solid #0072B2; font-size: 8.5pt; }
@media print {
  .ob-report { max-width: none; font-size: 9.5pt; }
  .ob-report .ob-print-footer { display: none; }
}
"""

_PAGE = """
@page {
  size: A4;
  margin: 16mm 14mm 20mm 14mm;
  @bottom-left { content: "__DISCLAIMER__"; font-size: 7.5pt; color: #333;
    font-family: "DejaVu Sans", sans-serif; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font-size: 7.5pt;
    color: #333; font-family: "DejaVu Sans", sans-serif; }
}
"""
REPORT_CSS = _BODY + _PAGE.replace("__DISCLAIMER__", DISCLAIMER.replace('"', "'"))
