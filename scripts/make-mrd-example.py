"""Write the MRD demo (examples/mrd/): real tumour loci, simulated normal and plasma counts.

The 24 tumour loci are the first 24 somatic SNVs with a tumour VAF >= 0.15 of the TCGA breast
tumour TCGA-A2-A04W (PCGR example VCF, MIT licence, tests/data/tcga-a2-a04w). The normal and
plasma read counts are simulated with :mod:`oncoboard.mrd.simulate` (documented generative
model, fixed seed), because no public plasma sequencing of this patient exists:

* ``normals.tsv``: 20 normal plasmas at the 24 loci;
* ``plasma.tsv``: four serial draws of one patient on treatment, at tumour fractions 2e-3
  (baseline), 3e-4, 0 and 1.5e-3 (molecular relapse).

Usage: ``python scripts/make-mrd-example.py`` (rewrites the files identically).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from oncoboard.mrd import read_tumour_loci
from oncoboard.mrd.simulate import simulated_patient

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "tests" / "data" / "tcga-a2-a04w" / "T001-BRCA.grch37.vcf.gz"
TARGET = ROOT / "examples" / "mrd"
DRAWS = {"2025-01-10": 2e-3, "2025-03-07": 3e-4, "2025-06-06": 0.0, "2025-09-05": 1.5e-3}
HEADER = "sample\tchrom\tpos\tref\talt\talt_reads\tdepth\n"


def main() -> None:
    loci = [locus for locus in read_tumour_loci(SOURCE) if (locus.tumor_vaf or 0) >= 0.15][:24]
    rng = np.random.default_rng(20260115)
    patient = simulated_patient(rng, loci=loci)
    TARGET.mkdir(parents=True, exist_ok=True)
    with (TARGET / "tumour.tsv").open("w") as handle:
        handle.write("chrom\tpos\tref\talt\ttumor_vaf\n")
        for locus in loci:
            handle.write(
                f"{locus.chrom}\t{locus.pos}\t{locus.ref}\t{locus.alt}\t{locus.tumor_vaf:.4f}\n"
            )
    samples = {f"NORMAL-{n + 1:02d}": patient.normal(rng) for n in range(20)}
    _write(TARGET / "normals.tsv", loci, samples)
    draws = {f"PLASMA-{day}": patient.plasma(rng, fraction) for day, fraction in DRAWS.items()}
    _write(TARGET / "plasma.tsv", loci, draws)


def _write(path: Path, loci: list, samples: dict) -> None:
    with path.open("w") as handle:
        handle.write(HEADER)
        for name, counts in samples.items():
            for locus in loci:
                count = counts[locus.key]
                handle.write(
                    f"{name}\t{locus.chrom}\t{locus.pos}\t{locus.ref}\t{locus.alt}\t"
                    f"{count.alt_reads}\t{count.depth}\n"
                )


if __name__ == "__main__":
    main()
