"""Oncoboard: decision support for metastatic breast cancer tumor boards.

Decision support for qualified clinicians; it does not replace clinical judgement.
"""

from oncoboard._version import __version__
from oncoboard.errors import OncoboardError

__all__ = ["OncoboardError", "__version__"]
