"""Lesion geometry against analytic phantoms: spheres and ellipsoids rasterised in memory.

Each phantom is the set of voxels whose centre (in LPS mm, through the Volume's own geometry)
satisfies ``(x - c)ᵀ A (x - c) <= 1``. The truth is computed here, independently of the
implementation: the cut of that ellipsoid by the axial plane ``z = c_z + t`` is an ellipse whose
semi-axes follow from the 2x2 in-plane block of ``A`` after completing the square; the RECIST
longest diameter is its major axis maximised over the slice positions actually sampled, and
the short axis its minor axis in that slice. "One voxel" is the larger in-plane pixel size.
"""

from __future__ import annotations

import math
import time

import numpy as np
import numpy.typing as npt
import pytest

from oncoboard.errors import ImagingError
from oncoboard.imaging.geometry import AXIAL, NOT_AXIAL, LesionGeometry, measure_lesions
from oncoboard.imaging.volume import Volume

FloatArray = npt.NDArray[np.float64]


def rot_x(degrees: float) -> FloatArray:
    a = math.radians(degrees)
    return np.array([[1, 0, 0], [0, math.cos(a), -math.sin(a)], [0, math.sin(a), math.cos(a)]])


def rot_z(degrees: float) -> FloatArray:
    a = math.radians(degrees)
    return np.array([[math.cos(a), -math.sin(a), 0], [math.sin(a), math.cos(a), 0], [0, 0, 1]])


def quadric(
    semi_axes: tuple[float, float, float], rotation: FloatArray | None = None
) -> FloatArray:
    """``A`` of the ellipsoid ``xᵀ A x <= 1`` with these semi-axes, rotated by ``rotation``."""
    r = np.eye(3) if rotation is None else rotation
    return np.asarray(r @ np.diag([1.0 / s**2 for s in semi_axes]) @ r.T)


def grid(
    shape: tuple[int, int, int],
    spacing: tuple[float, float, float],
    origin: tuple[float, float, float] = (0.0, 0.0, 0.0),
    direction: FloatArray | None = None,
) -> Volume:
    return Volume(
        array=np.zeros(shape, dtype=np.uint8),
        spacing=spacing,
        origin=origin,
        direction=np.eye(3) if direction is None else direction,
        source="phantom",
    )


def paint(volume: Volume, a: FloatArray, centre: FloatArray, label: int = 1) -> Volume:
    """``volume`` with the voxels whose centre is inside the ellipsoid set to ``label``."""
    kji = np.indices(volume.shape).reshape(3, -1).T
    x = volume.to_patient(kji) - centre
    inside = np.einsum("ni,ij,nj->n", x, a, x) <= 1.0
    array = volume.array.copy()
    array.reshape(-1)[inside] = label
    return Volume(
        array=array,
        spacing=volume.spacing,
        origin=volume.origin,
        direction=volume.direction,
        source=volume.source,
        labels=volume.labels,
    )


def axial_truth(a: FloatArray, centre: FloatArray, volume: Volume) -> tuple[float, float, float]:
    """Analytic (longest, short axis, slice z) of the ellipsoid's axial cross-sections.

    For ``x = (u, t)`` with ``u`` in-plane and ``t = z - c_z``:
    ``uᵀBu + 2t aᵀu + a_zz t² <= 1`` with ``B = A[:2,:2]``, ``a = A[:2,2]``; completing the
    square about ``u0 = -t B⁻¹a`` gives ``(u-u0)ᵀB(u-u0) <= 1 - t²(a_zz - aᵀB⁻¹a) = rhs``, an
    ellipse with semi-axes ``sqrt(rhs / λ)`` for the eigenvalues ``λ`` of ``B``.
    """
    b = a[:2, :2]
    off = a[:2, 2]
    lam = np.linalg.eigvalsh(b)  # ascending
    schur = a[2, 2] - off @ np.linalg.solve(b, off)
    z = volume.to_patient([[k, 0, 0] for k in range(volume.shape[0])])[:, 2]
    best = (0.0, 0.0, math.nan)
    for zk in z:
        rhs = 1.0 - (zk - centre[2]) ** 2 * schur
        if rhs <= 0:
            continue
        long, short = 2 * math.sqrt(rhs / lam[0]), 2 * math.sqrt(rhs / lam[1])
        if long > best[0]:
            best = (long, short, float(zk))
    return best


def ellipsoid_volume_ml(semi_axes: tuple[float, float, float]) -> float:
    return 4.0 / 3.0 * math.pi * math.prod(semi_axes) / 1000.0


def one_voxel(volume: Volume) -> float:
    return max(volume.spacing[0], volume.spacing[1])


def check(
    g: LesionGeometry,
    volume: Volume,
    a: FloatArray,
    centre: FloatArray,
    semi_axes: tuple[float, float, float],
) -> tuple[float, float]:
    """Assert the RECIST 1.1 tolerances; return the (long, short) errors in voxels."""
    long, short, _ = axial_truth(a, centre, volume)
    tol = one_voxel(volume)
    assert g.longest_diameter_mm == pytest.approx(long, abs=tol)
    assert g.short_axis_mm == pytest.approx(short, abs=tol)
    assert g.volume_ml == pytest.approx(ellipsoid_volume_ml(semi_axes), rel=0.03)
    assert g.components == 1
    assert g.plane == AXIAL
    # The reported end points lie in the reported slice and are the reported length apart.
    p, q = (np.asarray(e) for e in g.long_axis_endpoints_mm)
    assert np.linalg.norm(p - q) == pytest.approx(g.longest_diameter_mm)
    slice_z = volume.to_patient([[g.slice_index, 0, 0]])[0, 2]
    assert p[2] == pytest.approx(slice_z) and q[2] == pytest.approx(slice_z)
    assert np.allclose(g.centroid_mm, centre, atol=tol / 2)
    # ... and on the lesion's surface, to within one voxel.
    for end in (p, q):
        x = end - centre
        # |grad sqrt(xᵀAx)| <= sqrt(λmax): one voxel off the surface moves it by at most that.
        assert abs(math.sqrt(x @ a @ x) - 1.0) <= tol * math.sqrt(np.linalg.eigvalsh(a)[-1])
    return (g.longest_diameter_mm - long) / tol, (g.short_axis_mm - short) / tol


def test_sphere_radius_10mm_isotropic() -> None:
    volume = grid((30, 30, 30), (1.0, 1.0, 1.0))
    centre = np.array([14.3, 14.6, 14.0])
    a = quadric((10, 10, 10))
    [g] = measure_lesions(paint(volume, a, centre))
    assert g.longest_diameter_mm == pytest.approx(20.0, abs=1.0)
    assert g.short_axis_mm == pytest.approx(20.0, abs=1.0)
    assert g.volume_ml == pytest.approx(4 / 3 * math.pi * 1000 / 1000, rel=0.03)
    assert g.slice_index == 14
    check(g, volume, a, centre, (10, 10, 10))


def test_axis_aligned_ellipsoid_anisotropic_voxels() -> None:
    volume = grid((12, 64, 64), (0.8, 0.8, 2.5))
    centre = np.array([25.1, 25.35, 13.9])
    semi = (20.0, 12.0, 8.0)
    a = quadric(semi)
    [g] = measure_lesions(paint(volume, a, centre))
    assert g.longest_diameter_mm == pytest.approx(40.0, abs=0.8)
    assert g.short_axis_mm == pytest.approx(24.0, abs=0.8)
    check(g, volume, a, centre, semi)
    # The long axis runs along patient x (its ends may wander over the blunt poles).
    p, q = (np.asarray(e) for e in g.long_axis_endpoints_mm)
    assert math.degrees(math.atan2(abs(q[1] - p[1]), abs(q[0] - p[0]))) < 5


def test_in_plane_rotated_ellipsoid_on_anisotropic_pixels() -> None:
    volume = grid((30, 50, 70), (0.7, 1.1, 1.0))
    centre = np.array([24.2, 27.3, 14.6])
    semi = (18.0, 9.0, 7.0)
    a = quadric(semi, rot_z(30))
    [g] = measure_lesions(paint(volume, a, centre))
    check(g, volume, a, centre, semi)
    p, q = (np.asarray(e) for e in g.long_axis_endpoints_mm)
    angle = math.degrees(math.atan2(abs(q[1] - p[1]), abs(q[0] - p[0])))
    assert angle == pytest.approx(30, abs=5)


@pytest.mark.parametrize(
    ("semi", "spacing", "tilt_x", "turn_z"),
    [
        ((20.0, 12.0, 8.0), (0.8, 0.8, 2.0), 25.0, 40.0),
        ((15.0, 6.0, 10.0), (0.9, 0.9, 1.5), 60.0, -20.0),
        ((25.0, 10.0, 5.0), (0.7, 0.7, 3.0), 45.0, 75.0),
    ],
)
def test_ellipsoid_tilted_out_of_plane(
    semi: tuple[float, float, float],
    spacing: tuple[float, float, float],
    tilt_x: float,
    turn_z: float,
) -> None:
    extent = 2 * max(semi) + 6
    shape = (
        int(extent / spacing[2]) + 1,
        int(extent / spacing[1]) + 1,
        int(extent / spacing[0]) + 1,
    )
    volume = grid(shape, spacing, origin=(-extent / 2, -extent / 2, -extent / 2))
    centre = np.array([0.31, -0.17, 0.23])
    a = quadric(semi, rot_z(turn_z) @ rot_x(tilt_x))
    [g] = measure_lesions(paint(volume, a, centre))
    long, _, z = axial_truth(a, centre, volume)
    check(g, volume, a, centre, semi)
    # The longest cross-section is found in (or next to) the analytic slice.
    slice_z = volume.to_patient([[g.slice_index, 0, 0]])[0, 2]
    assert abs(slice_z - z) <= spacing[2] + 1e-9 or long - g.longest_diameter_mm < one_voxel(volume)


def test_direction_not_identity_gives_the_same_millimetres() -> None:
    semi = (16.0, 9.0, 6.0)
    a = quadric(semi, rot_z(50) @ rot_x(20))
    centre = np.array([0.2, -0.4, 0.1])
    shape = (20, 60, 60)
    spacing = (0.8, 0.8, 2.0)
    half = (-(shape[2] - 1) * 0.8 / 2, -(shape[1] - 1) * 0.8 / 2, -(shape[0] - 1) * 2.0 / 2)
    plain = paint(grid(shape, spacing, origin=half), a, centre)
    [g0] = measure_lesions(plain)

    # The same voxel centres with every axis reversed (feet-first, image flipped): origin at
    # the opposite corner. The measurements must agree exactly.
    flipped = paint(
        grid(shape, spacing, origin=(-half[0], -half[1], -half[2]), direction=-np.eye(3)), a, centre
    )
    assert np.array_equal(flipped.array[::-1, ::-1, ::-1], plain.array)
    [g1] = measure_lesions(flipped)
    assert g1.longest_diameter_mm == pytest.approx(g0.longest_diameter_mm)
    assert g1.short_axis_mm == pytest.approx(g0.short_axis_mm)
    assert g1.volume_ml == pytest.approx(g0.volume_ml)
    assert np.allclose(g1.centroid_mm, g0.centroid_mm)
    assert g1.slice_index == shape[0] - 1 - g0.slice_index
    assert {tuple(np.round(e, 6)) for e in g1.long_axis_endpoints_mm} == {
        tuple(np.round(e, 6)) for e in g0.long_axis_endpoints_mm
    }
    assert g1.plane == AXIAL

    # Image axes rotated 20° in-plane and the slice axis reversed: a different sampling of the
    # same object, so both must be within one voxel of the truth and of each other.
    direction = rot_z(20) @ np.diag([1.0, 1.0, -1.0])
    corner = -(direction @ np.array([29.5 * 0.8, 29.5 * 0.8, 9.5 * 2.0]))
    rotated = paint(grid(shape, spacing, origin=tuple(corner), direction=direction), a, centre)
    [g2] = measure_lesions(rotated)
    check(g2, rotated, a, centre, semi)
    assert g2.longest_diameter_mm == pytest.approx(g0.longest_diameter_mm, abs=0.8)
    assert g2.short_axis_mm == pytest.approx(g0.short_axis_mm, abs=0.8)


def test_lymph_node_short_axis() -> None:
    # A pathological node: semi-axes 15 x 9 x 9 mm, long axis in-plane at 35°; truth: long 30,
    # short axis 18 mm (>= 15 mm, RECIST 1.1 target node).
    volume = grid((20, 64, 64), (0.8, 0.8, 2.0))
    centre = np.array([25.4, 25.1, 19.0])
    semi = (15.0, 9.0, 9.0)
    a = quadric(semi, rot_z(35))
    [g] = measure_lesions(paint(volume, a, centre))
    assert g.short_axis_mm == pytest.approx(18.0, abs=0.8)
    assert g.longest_diameter_mm == pytest.approx(30.0, abs=0.8)
    check(g, volume, a, centre, semi)


def test_small_spheres_stay_within_one_voxel() -> None:
    rng = np.random.default_rng(7)
    for radius in (2.5, 3.0, 4.0, 6.0, 25.0):
        n = int(2 * radius) + 6
        volume = grid((n, n, n), (1.0, 1.0, 1.0))
        centre = np.full(3, (n - 1) / 2) + rng.uniform(-0.5, 0.5, 3)
        a = quadric((radius, radius, radius))
        [g] = measure_lesions(paint(volume, a, centre))
        long, short, _ = axial_truth(a, centre, volume)
        assert g.longest_diameter_mm == pytest.approx(long, abs=1.0)
        assert g.short_axis_mm == pytest.approx(short, abs=1.0)


def test_two_blobs_one_label_count_two_components() -> None:
    volume = grid((20, 40, 60), (1.0, 1.0, 1.0))
    a = quadric((6, 6, 6))
    volume = paint(volume, a, np.array([12.0, 20.0, 10.0]))
    volume = paint(volume, a, np.array([45.0, 20.0, 10.0]))
    [g] = measure_lesions(volume)
    assert g.components == 2
    assert g.longest_diameter_mm > 40  # spans both blobs: the warning matters


def test_labels_subset_names_and_empty() -> None:
    volume = grid((20, 40, 80), (1.0, 1.0, 1.0))
    a = quadric((5, 5, 5))
    for label, x in ((1, 10.0), (2, 30.0), (3, 55.0)):
        volume = paint(volume, a, np.array([x, 20.0, 10.0]), label=label)
    named = Volume(
        array=volume.array,
        spacing=volume.spacing,
        origin=volume.origin,
        direction=volume.direction,
        source="seg",
        labels={2: "Lymph node"},
    )
    assert [g.label for g in measure_lesions(named)] == [1, 2, 3]
    subset = measure_lesions(named, labels=[3, 2, 9])  # 9 is absent: left out
    assert [(g.label, g.name) for g in subset] == [(2, "Lymph node"), (3, None)]
    assert measure_lesions(named, labels=[]) == []
    assert measure_lesions(grid((3, 3, 3), (1.0, 1.0, 1.0))) == []


def test_large_sparse_label_values() -> None:
    volume = grid((12, 12, 24), (1.0, 1.0, 1.0))
    volume = paint(volume, quadric((3, 3, 3)), np.array([5.0, 5.5, 5.5]), label=1)
    array = volume.array.astype(np.int32)
    array[array == 1] = 1_000_000
    array[2:5, 2:5, 15:20] = 7
    big = Volume(array, volume.spacing, volume.origin, volume.direction, "big")
    assert [g.label for g in measure_lesions(big)] == [7, 1_000_000]
    assert [g.label for g in measure_lesions(big, labels=[1_000_000, 5])] == [1_000_000]
    [g] = measure_lesions(big, labels=[7])
    # A 5 x 3 block: centres 4 x 2 mm apart, widened by a quarter pixel at each end of a row.
    assert g.voxels == 45 and g.longest_diameter_mm == pytest.approx(math.hypot(4.5, 2.0))


def test_boolean_and_float_masks() -> None:
    volume = paint(grid((12, 12, 12), (1.0, 1.0, 1.0)), quadric((4, 4, 4)), np.full(3, 5.5))
    as_bool = Volume(volume.array > 0, volume.spacing, volume.origin, volume.direction, "b")
    as_float = Volume(volume.array * 2.0, volume.spacing, volume.origin, volume.direction, "f")
    [g0] = measure_lesions(volume)
    [g1] = measure_lesions(as_bool)
    [g2] = measure_lesions(as_float)
    assert g1.longest_diameter_mm == g0.longest_diameter_mm and g1.label == 1
    assert g2.voxels == g0.voxels and g2.label == 2
    bad = Volume(volume.array * 0.5, volume.spacing, volume.origin, volume.direction, "bad.nii")
    with pytest.raises(ImagingError, match=r"bad\.nii.*integer labels"):
        measure_lesions(bad)


def test_non_axial_slices_are_measured_in_the_acquisition_plane() -> None:
    # Coronal acquisition: columns to the left (x), rows feet-wards (-z), slices posterior (y).
    direction = np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, -1.0, 0.0]])
    volume = grid((30, 30, 30), (1.0, 1.0, 1.0), origin=(-14.5, -14.5, 14.5), direction=direction)
    assert not volume.is_axial()
    [g] = measure_lesions(paint(volume, quadric((10, 10, 10)), np.array([0.2, 0.1, -0.3])))
    assert g.plane == NOT_AXIAL
    assert g.longest_diameter_mm == pytest.approx(20.0, abs=1.0)


@pytest.mark.slow
def test_timing_512x512x300_with_10_lesions() -> None:
    shape = (300, 512, 512)
    spacing = (0.8, 0.8, 2.0)
    array = np.zeros(shape, dtype=np.uint8)
    rng = np.random.default_rng(3)
    for label in range(1, 11):
        radius = float(rng.uniform(5, 30))
        centre = rng.uniform([40, 40, 40], [370, 370, 560])  # x, y, z mm
        lo = np.floor((centre - radius) / np.array(spacing)).astype(int)
        hi = np.ceil((centre + radius) / np.array(spacing)).astype(int) + 1
        k, j, i = np.ogrid[lo[2] : hi[2], lo[1] : hi[1], lo[0] : hi[0]]
        inside = (
            (i * spacing[0] - centre[0]) ** 2
            + (j * spacing[1] - centre[1]) ** 2
            + (k * spacing[2] - centre[2]) ** 2
        ) <= radius**2
        view = array[lo[2] : hi[2], lo[1] : hi[1], lo[0] : hi[0]]
        view[inside] = label
    mask = Volume(array, spacing, (0.0, 0.0, 0.0), np.eye(3), "bench")
    start = time.perf_counter()
    geometries = measure_lesions(mask)
    elapsed = time.perf_counter() - start
    print(f"measure_lesions 512x512x300, {len(geometries)} lesions: {elapsed:.3f} s")
    assert len(geometries) == 10
