"""Read the PET calibration (dose, half-life, times, patient size) from a DICOM header.

Private helper of :mod:`oncoboard.imaging.pet`; see
:func:`oncoboard.imaging.pet.calibration_from_dicom` for the rules and references.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydicom.valuerep import DA, DT, TM

from oncoboard.errors import ImagingError

__all__ = ["read_calibration_fields"]

_DECAY_CORRECTIONS = ("START", "ADMIN", "NONE")
# GE PET private scan date-time (0009,100D) of private creator "GEMS_PETD_01"; the QIBA
# vendor-neutral pseudo-code uses it when SeriesTime is after AcquisitionTime (fact sheet [V]).
_GE_CREATOR = "GEMS_PETD_01"


def _text(header: Any, keyword: str) -> str | None:
    value = getattr(header, keyword, None)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _positive(header: Any, keyword: str, source: str, what: str) -> float:
    value = getattr(header, keyword, None)
    if value is None or str(value).strip() == "":
        raise ImagingError(source, f"missing ({what})", attribute=keyword)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ImagingError(source, f"not a number: {value!r}", attribute=keyword) from None
    if not number > 0:
        raise ImagingError(source, f"must be > 0, got {number:g} ({what})", attribute=keyword)
    return number


def _date(header: Any, keyword: str, source: str) -> dt.date:
    text = _text(header, keyword)
    if text is None:
        raise ImagingError(source, "missing (needed for the decay time)", attribute=keyword)
    try:
        value = DA(text)
    except ValueError:
        raise ImagingError(source, f"not a DICOM date: {text!r}", attribute=keyword) from None
    if value is None:
        raise ImagingError(source, "missing (needed for the decay time)", attribute=keyword)
    return dt.date(value.year, value.month, value.day)


def _time(header: Any, keyword: str, source: str) -> dt.time:
    text = _text(header, keyword)
    if text is None:
        raise ImagingError(source, "missing (needed for the decay time)", attribute=keyword)
    try:
        value = TM(text)
    except ValueError:
        raise ImagingError(source, f"not a DICOM time: {text!r}", attribute=keyword) from None
    if value is None:
        raise ImagingError(source, "missing (needed for the decay time)", attribute=keyword)
    return dt.time(value.hour, value.minute, value.second, value.microsecond)


def _datetime_text(text: str, keyword: str, source: str) -> dt.datetime:
    try:
        value = DT(text)
    except ValueError:
        raise ImagingError(source, f"not a DICOM date-time: {text!r}", attribute=keyword) from None
    if value is None:
        raise ImagingError(source, "missing (needed for the decay time)", attribute=keyword)
    return dt.datetime(
        value.year,
        value.month,
        value.day,
        value.hour,
        value.minute,
        value.second,
        value.microsecond,
        tzinfo=value.tzinfo,
    )


def _combine(header: Any, date_keyword: str, time_keyword: str, source: str) -> dt.datetime:
    return dt.datetime.combine(
        _date(header, date_keyword, source), _time(header, time_keyword, source)
    )


def _acquisition(header: Any, source: str) -> dt.datetime:
    text = _text(header, "AcquisitionDateTime")
    if text is not None:
        return _datetime_text(text, "AcquisitionDateTime", source)
    date_keyword = "AcquisitionDate" if _text(header, "AcquisitionDate") else "SeriesDate"
    return _combine(header, date_keyword, "AcquisitionTime", source)


def _ge_scan_time(header: Any, source: str) -> dt.datetime | None:
    creator = header.get((0x0009, 0x0010))
    element = header.get((0x0009, 0x100D))
    if creator is None or element is None or str(creator.value).strip() != _GE_CREATOR:
        return None
    text = str(element.value).strip()
    return _datetime_text(text, "GE private scan time (0009,100D)", source) if text else None


def _naive(value: dt.datetime, offset: dt.timezone | None) -> dt.datetime:
    """Local (naive) time; an aware value is converted to the series' UTC offset if known."""
    if value.tzinfo is None:
        return value
    if offset is not None:
        return value.astimezone(offset).replace(tzinfo=None)
    return value.replace(tzinfo=None)


def _series_offset(header: Any, source: str) -> dt.timezone | None:
    text = _text(header, "TimezoneOffsetFromUTC")
    if text is None:
        return None
    try:
        sign = -1 if text[0] == "-" else 1
        hours, minutes = int(text[1:3]), int(text[3:5])
    except (ValueError, IndexError):
        raise ImagingError(
            source, f"expected +HHMM or -HHMM, got {text!r}", attribute="TimezoneOffsetFromUTC"
        ) from None
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))


def read_calibration_fields(header: Any, source: str) -> dict[str, Any]:
    """The keyword arguments of :class:`~oncoboard.imaging.pet.PetCalibration` from a header."""
    if header is None:
        raise ImagingError(source, "no DICOM header: PET calibration must be given by hand")
    units = _text(header, "Units")
    if units is None:
        raise ImagingError(source, "missing; SUV needs BQML (Bq/mL) PET values", attribute="Units")
    if units.upper() != "BQML":
        raise ImagingError(
            source,
            f"{units!r} is not supported; SUV needs BQML (Bq/mL) values "
            "(CNTS needs a vendor scale factor; GML is already SUV)",
            attribute="Units",
        )
    decay = (_text(header, "DecayCorrection") or "").upper()
    if decay not in _DECAY_CORRECTIONS:
        raise ImagingError(
            source,
            f"expected START, ADMIN or NONE, got {decay or 'nothing'!r}",
            attribute="DecayCorrection",
        )
    corrected = getattr(header, "CorrectedImage", None)
    if corrected is not None:
        values = [corrected] if isinstance(corrected, str) else list(corrected)
        flags = {str(flag).strip().upper() for flag in values}
        if "ATTN" not in flags:
            raise ImagingError(
                source,
                f"{sorted(flags)} lacks ATTN: SUV needs attenuation-corrected images",
                attribute="CorrectedImage",
            )
        if decay != "NONE" and "DECY" not in flags:
            raise ImagingError(
                source,
                f"{sorted(flags)} lacks DECY although DecayCorrection is {decay}",
                attribute="CorrectedImage",
            )
    sequence = getattr(header, "RadiopharmaceuticalInformationSequence", None)
    if not sequence:
        raise ImagingError(
            source, "missing or empty", attribute="RadiopharmaceuticalInformationSequence"
        )
    item = sequence[0]
    dose = _positive(item, "RadionuclideTotalDose", source, "injected activity, Bq")
    half_life = _positive(item, "RadionuclideHalfLife", source, "half-life, s")
    weight = _positive(header, "PatientWeight", source, "patient weight, kg")
    size = getattr(header, "PatientSize", None)
    height = float(size) if size not in (None, "") and float(size) > 0 else None
    sex_text = (_text(header, "PatientSex") or "").upper()
    sex = sex_text if sex_text in ("F", "M") else None

    offset = _series_offset(header, source)
    start_text = _text(item, "RadiopharmaceuticalStartDateTime")
    if start_text is not None:
        injection = _datetime_text(start_text, "RadiopharmaceuticalStartDateTime", source)
    else:
        if _text(item, "RadiopharmaceuticalStartTime") is None:
            raise ImagingError(
                source,
                "missing, and no RadiopharmaceuticalStartDateTime (injection time)",
                attribute="RadiopharmaceuticalStartTime",
            )
        injection = dt.datetime.combine(
            _date(header, "SeriesDate", source),
            _time(item, "RadiopharmaceuticalStartTime", source),
        )
    injection = _naive(injection, offset)

    if decay == "START":
        reference = _combine(header, "SeriesDate", "SeriesTime", source)
        has_acquisition = _text(header, "AcquisitionTime") or _text(header, "AcquisitionDateTime")
        if has_acquisition:
            acquisition = _naive(_acquisition(header, source), offset)
            if reference > acquisition:
                # Series re-created after the scan (QIBA pseudo-code): the series time is not
                # the decay reference; GE stores the true scan start privately.
                private = _ge_scan_time(header, source)
                if private is None:
                    raise ImagingError(
                        source,
                        f"series time {reference.isoformat()} is after the acquisition time "
                        f"{acquisition.isoformat()} (series re-created?) and no vendor scan "
                        "time is present: the decay reference time is unknown",
                        attribute="SeriesTime",
                    )
                reference = _naive(private, offset)
    elif decay == "ADMIN":
        reference = injection
    else:
        reference = _naive(_acquisition(header, source), offset)

    if injection > reference:
        raise ImagingError(
            source,
            f"injection at {injection.isoformat()} is after the decay reference time "
            f"{reference.isoformat()} (wrong date or time zone?)",
            attribute="RadiopharmaceuticalStartDateTime"
            if start_text is not None
            else "RadiopharmaceuticalStartTime",
        )
    return {
        "injected_dose_bq": dose,
        "half_life_s": half_life,
        "injection_time": injection,
        "reference_time": reference,
        "weight_kg": weight,
        "height_m": height,
        "sex": sex,
        "units": "BQML",
        "decay_correction": decay,
    }
