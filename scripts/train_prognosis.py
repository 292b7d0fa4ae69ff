"""Retrain and re-evaluate the prognosis models from the bundled data.

Writes the shipped Cox models ``src/oncoboard/prognosis/models/desmedt2007-clinical.json``
(early breast cancer, distant metastasis) and ``msk2018-mbc-os.json`` (metastatic breast
cancer, overall survival from metastatic diagnosis), ``docs/models/metrics.json``, the
figures ``docs/models/img/*.png`` and the model cards ``docs/models/*.md``, and prints a
summary. Reads only data inside the repository (and the Desmedt 2007 data bundled with
scikit-survival). Deterministic for a given seed.

Usage::

    .venv/bin/python scripts/train_prognosis.py [--repeats 10] [--folds 5] [--bootstrap 300]
        [--external-bootstrap 300] [--trees 300] [--seed 20070601]
"""

from __future__ import annotations

import sys
from pathlib import Path

from oncoboard.prognosis._training.run import main

ROOT = Path(__file__).resolve().parents[1]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], root=ROOT))
