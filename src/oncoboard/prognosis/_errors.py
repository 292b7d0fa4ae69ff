"""Errors of the prognosis package (both under :class:`~oncoboard.errors.OncoboardError`).

::

    OncoboardError
    ├── OutOfDomain (ValueError)     the patient is outside the model's domain
    └── UnknownModelError (LookupError)   no shipped model has that id
"""

from __future__ import annotations

from collections.abc import Sequence

from oncoboard.errors import OncoboardError

__all__ = ["OutOfDomain", "UnknownModelError"]


class OutOfDomain(OncoboardError, ValueError):  # noqa: N818  # name fixed by the API contract
    """The model must not be applied to this patient; ``reasons`` says why, one per covariate.

    A covariate that is missing, unknown (``None``), of the wrong type, outside the range
    seen in training or a category not seen in training gives one reason each, e.g.
    ``"size_cm not recorded"`` or ``"age 72 is outside the training range 24 to 60 years"``.
    """

    def __init__(self, reasons: Sequence[str], *, model_id: str | None = None) -> None:
        self.reasons = list(reasons)
        self.model_id = model_id
        where = f"{model_id}: " if model_id else ""
        super().__init__(f"{where}patient outside the model's domain: {'; '.join(self.reasons)}")

    def __reduce__(self) -> tuple[object, ...]:
        """Pickle with the keyword argument (errors may cross process boundaries)."""
        return (_rebuild_out_of_domain, (self.reasons, self.model_id))


def _rebuild_out_of_domain(reasons: list[str], model_id: str | None) -> OutOfDomain:
    return OutOfDomain(reasons, model_id=model_id)


class UnknownModelError(OncoboardError, LookupError):
    """No shipped prognosis model has this id."""

    def __init__(self, model_id: str, available: Sequence[str]) -> None:
        self.model_id = model_id
        self.available = tuple(available)
        super().__init__(f"expected a model id in {list(self.available)!r}, got {model_id!r}")
