"""Training and validation of the prognosis models (used by ``scripts/train_prognosis.py``).

Not imported by :mod:`oncoboard.prognosis`: these modules need scikit-survival and read the
bundled cohorts (Desmedt 2007 from scikit-survival; GBSG2, METABRIC and MSK 2018 from
``examples/``). Every number in ``docs/models/*.md`` comes from the metrics they compute.
"""
