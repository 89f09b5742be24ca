"""POD (proper orthogonal descriptors, ML-POD): fitted by the wheel's own ``fitpod`` command on
the bench's training frames, run with ``pair_style pod``.

Parameter files follow the package's examples (``examples/PACKAGES/pod/Ta``: rin 1.0, Bessel
degree 3/inverse degree 6, energy:force weights 100:1, regularization 1e-12); ``pod_small`` is
the linear 2+3-body POD of that example (rcut 5), ``pod_large`` adds the 4-body term with the
sizes of the package's ``Ta_fastpod`` example up to 4 bodies (2-body 8 radial functions, 3- and
4-body 6 radial x angular degree 3). fitpod runs without the ptmlp plugin on LAMMPS_PLUGIN_PATH:
with it loaded, the 4-body setup printed a garbage "maximum number of atoms in periodic domain" and
on Si failed ("Failed to allocate -12461312 bytes for array fitpod:desc_ld"); without it the
same input fits, deterministically, on Mo and Si. fitpod is a linear least
squares fit of energies and forces (no stresses) on the train frames; validation frames are
scored in the table only.
"""

from __future__ import annotations

from registry import Context, Model, potential_lines

#: name: (label, parameter lines beyond species/pbc/rin)
CONFIGS = {
    "pod_small": ("POD 2+3-body (fitpod)", {
        "rcut": 5.0, "bessel_polynomial_degree": 3, "inverse_polynomial_degree": 6,
        "onebody": 1, "twobody_number_radial_basis_functions": 6,
        "threebody_number_radial_basis_functions": 5, "threebody_angular_degree": 4}),
    "pod_large": ("POD 2+3+4-body (fitpod)", {
        "rcut": 5.0, "bessel_polynomial_degree": 4, "inverse_polynomial_degree": 6,
        "onebody": 1, "twobody_number_radial_basis_functions": 8,
        "threebody_number_radial_basis_functions": 6, "threebody_angular_degree": 3,
        "fourbody_number_radial_basis_functions": 6, "fourbody_angular_degree": 3}),
}

DATA_POD = """file_format extxyz
file_extension xyz
path_to_training_data_set "{train}"
fitting_weight_energy 100.0
fitting_weight_force 1.0
fitting_regularization_parameter 1e-12
error_analysis_for_training_data_set 1
error_analysis_for_test_data_set 0
basename_for_output_files {name}
precision_for_pod_coefficients 12
"""


def _train(name: str, params: dict):
    def train(ctx: Context) -> dict:
        from ptmlp.lammps_env import lammps_binary, lammps_environment

        from common import run_logged

        out = ctx.model_dir(name)
        lines = [f"species {' '.join(ctx.species)}", "pbc 1 1 1", "rin 1.0"]
        lines += [f"{k} {v}" for k, v in params.items()]
        (out / "param.pod").write_text("\n".join(lines) + "\n")
        (out / "data.pod").write_text(DATA_POD.format(train=ctx.files / "pod_train", name=name))
        (out / "in.fitpod").write_text("units metal\nfitpod param.pod data.pod\n")
        # without LAMMPS_PLUGIN_PATH: with the ptmlp plugin loaded, fitpod's 4-body setup printed a garbage
        # "maximum number of atoms in periodic domain" and sometimes failed to allocate a negative size
        env = {k: v for k, v in lammps_environment().items() if k != "LAMMPS_PLUGIN_PATH"}
        wall = run_logged([lammps_binary(), "-in", "in.fitpod", "-log", "log.fitpod", "-nocite"], out / "fitpod.out",
                          env=env, cwd=out)
        coeff = out / f"{name}_coefficients.pod"
        if not coeff.is_file():
            raise SystemExit(f"fitpod wrote no {coeff}; see {out / 'fitpod.out'}")
        return {"param": str(out / "param.pod"), "coefficients": str(coeff), "train_wall_s": round(wall, 1),
                "training": "fitpod linear least squares (E:F 100:1), train frames"}
    return train


def _potential(ctx: Context, rec: dict) -> dict:
    return {"pair_style": "pod", "pair_coeff": [f"* * {rec['param']} {rec['coefficients']} {' '.join(ctx.species)}"],
            "type_names": ctx.species}



def models(ctx: Context) -> list[Model]:
    return [Model(name=name, label=label, family="POD", train=_train(name, params),
                  spec=lambda c, r: {"kind": "potential", "potential": _potential(c, r)},
                  pair_lines=lambda c, r: potential_lines(c, _potential(c, r)))
            for name, (label, params) in CONFIGS.items()]
