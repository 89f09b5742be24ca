"""Real spherical harmonics are orthonormal; the power spectrum is rotation invariant."""

from __future__ import annotations

import numpy as np
import torch
from scipy.spatial.transform import Rotation

from ptmlp.models.basis import PolynomialEnvelope, SphericalHarmonics
from ptmlp.models.descriptor import PowerSpectrum


def sphere_quadrature(n: int):
    """Gauss-Legendre in cos(theta) x uniform phi: exact for polynomials of degree < 2n."""
    x, w = np.polynomial.legendre.leggauss(n)
    phi = np.arange(2 * n) * np.pi / n
    ct, ph = np.meshgrid(x, phi, indexing="ij")
    st = np.sqrt(1 - ct ** 2)
    pts = np.stack([st * np.cos(ph), st * np.sin(ph), ct], -1).reshape(-1, 3)
    weights = (w[:, None] * np.full(2 * n, np.pi / n)[None, :]).reshape(-1)
    return torch.tensor(pts), torch.tensor(weights)


def test_spherical_harmonics_orthonormal():
    l_max = 6
    pts, w = sphere_quadrature(12)
    y = SphericalHarmonics(l_max)(pts)
    gram = (y * w[:, None]).T @ y
    assert torch.allclose(gram, torch.eye((l_max + 1) ** 2, dtype=gram.dtype), atol=1e-12)


def test_spherical_harmonics_smooth_at_poles():
    y = SphericalHarmonics(3)(torch.tensor([[0.0, 0.0, 1.0], [0.0, 0.0, -1.0]], dtype=torch.float64))
    assert torch.isfinite(y).all()


def test_power_spectrum_rotation_invariant():
    torch.manual_seed(0)
    l_max, q = 4, 5
    sph, ps = SphericalHarmonics(l_max), PowerSpectrum(q, l_max)
    vec = torch.randn(40, 3, dtype=torch.float64)
    radial = torch.randn(40, q, dtype=torch.float64)
    centre = torch.randint(0, 4, (40,))
    rot = torch.tensor(Rotation.random(random_state=1).as_matrix())
    p1 = ps(radial, sph(vec / vec.norm(dim=1, keepdim=True)), centre, 4)
    v2 = vec @ rot.T
    p2 = ps(radial, sph(v2 / v2.norm(dim=1, keepdim=True)), centre, 4)
    assert torch.allclose(p1, p2, atol=1e-12)


def test_envelope_vanishes_with_two_derivatives():
    r = torch.tensor([4.0 - 1e-4], dtype=torch.float64, requires_grad=True)
    env = PolynomialEnvelope(4.0, 6)
    u = env(r)
    (du,) = torch.autograd.grad(u.sum(), r, create_graph=True)
    (d2u,) = torch.autograd.grad(du.sum(), r)
    u = u.detach()
    assert abs(float(u)) < 1e-9 and abs(float(du.detach())) < 1e-6 and abs(float(d2u)) < 1e-2
