"""Agreement checks: our result must match librosa's closely enough before it is timed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Disagreement", "Tolerance", "RELATIVE_FLOOR"]

#: The absolute floor of a ``relative`` tolerance, as a fraction of the largest
#: |reference| value. Without it, values far below the peak (silent frames, the
#: zeros of a rectified onset curve) would be compared with their own tiny size,
#: where float32 rounding of sums whose terms reach the peak exceeds 1e-4 of them.
#: With ``tolerance=1e-4`` the relative test governs every value above 1 % of the peak.
RELATIVE_FLOOR = 1e-6


class Disagreement(AssertionError):
    """Our result and the reference differ by more than the tolerance."""


@dataclass(frozen=True)
class Tolerance:
    """How closely our result must match the reference.

    Parameters
    ----------
    tolerance : float > 0
        The largest error allowed.
    kind : {"of_max", "relative"}
        ``"of_max"``: ``max |ours - ref| <= tolerance * max |ref|``.
        ``"relative"``: ``|ours - ref| <= tolerance * |ref| + floor * max |ref|``
        for every value.
    edge : int >= 0
        Frames (last axis) left out at both ends before comparing (where
        different but valid padding and resampling choices differ).
    floor : float >= 0
        The absolute floor of ``"relative"``, see :data:`RELATIVE_FLOOR`.
    """

    tolerance: float
    kind: str = "of_max"
    edge: int = 0
    floor: float = RELATIVE_FLOOR

    def __str__(self):
        text = (f"{self.tolerance:g} of max" if self.kind == "of_max"
                else f"{self.tolerance:g} relative (floor {self.floor:g} of max)")
        return text + (f", {self.edge} edge frames left out" if self.edge else "")

    def __call__(self, ours, reference) -> float:
        """Return the error, in the unit of ``tolerance``; raise :class:`Disagreement` if too large.

        For ``"relative"`` the error is ``tolerance`` times the largest ratio of
        ``|ours - ref|`` to what is allowed there.
        """
        ours, reference = self._interior(*_checked_pair(ours, reference))
        difference = np.abs(ours - reference)
        magnitude = np.abs(reference)
        scale = float(magnitude.max()) or 1.0
        if self.kind == "of_max":
            error = float(difference.max()) / scale
        else:
            allowed = self.tolerance * magnitude + self.floor * scale
            error = self.tolerance * float((difference / allowed).max())
        if error > self.tolerance:
            raise Disagreement(f"error {error:.2e} > {self}")
        return error

    def _interior(self, ours, reference):
        if not self.edge:
            return ours, reference
        keep = slice(self.edge, ours.shape[-1] - self.edge)
        if ours[..., keep].size == 0:
            raise Disagreement(f"no frames left after leaving out {self.edge} at each edge")
        return ours[..., keep], reference[..., keep]


def _checked_pair(ours, reference):
    """Both results as float64/complex128 arrays of the same shape, ours finite."""
    ours, reference = np.asarray(ours), np.asarray(reference)
    if ours.shape != reference.shape:
        raise Disagreement(f"shape {ours.shape} != librosa's {reference.shape}")
    if not np.all(np.isfinite(ours)):
        raise Disagreement("our result has NaN or Inf values")
    wide = np.complex128 if np.iscomplexobj(ours) or np.iscomplexobj(reference) else np.float64
    return ours.astype(wide), reference.astype(wide)
