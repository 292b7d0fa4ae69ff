"""Imaging: measurements from DICOM and NIfTI for the response engines.

Read a DICOM series, DICOM SEG or NIfTI image/mask into a :class:`Volume`, quantify PET uptake
(SUV, SUL, SULpeak, liver reference, PERCIST threshold) and measure lesions from a label mask
(longest axial diameter, perpendicular short axis, volume), then build the imaging assessment
that ``oncoboard monitor`` reads.
"""

from __future__ import annotations

from oncoboard.imaging.volume import Volume

__all__ = ["Volume"]
