"""The recipe's YAML (``python -m ptmlp.demo.al_melting_te --example`` prints every key).

One file drives every stage; units are in the key names (K, GPa, eV, A, ps). DFT settings left
null are the ones the convergence stage chooses; everything else is fixed here so that a rerun
(or a cluster run) of the same file reproduces the same campaign.
"""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from pydantic import Field, model_validator

from ...al.select import SelectConfig
from ...config import StrictModel, field
from ...config.types import OutputPath
from ...labelers.gpaw_labeler import Kpts, Xc
from ...melting.config import CellConfig, MDConfig, SettleConfig
from ...models.config import ModelConfig
from ...potential import PotentialSpec
from ...training.config import TrainConfig

Pressure_GPa = Annotated[float, Field(ge=-20, le=2000)]
Temperature_K = Annotated[float, Field(gt=0, lt=1e5)]
Positive = Annotated[float, Field(gt=0)]

MENDELEV_AL = {"pair_style": "eam/fs", "pair_coeff": ["* * {potentials}/Al_mm.eam.fs Al"], "type_names": ["Al"]}
ZHOU_AL = {"pair_style": "eam/alloy", "pair_coeff": ["* * {potentials}/Al_zhou.eam.alloy Al"], "type_names": ["Al"]}


class DftSettings(StrictModel):
    """GPAW labels of every stage after the convergence table (Fermi-Dirac occupations)."""

    xc: Xc = field("LDA", "exchange-correlation functional (this GPAW build: LDA, PBE, revPBE, RPBE)")
    ecut_eV: Optional[float] = field(None, "plane-wave cutoff (eV); null: the one the convergence stage chooses",
                                     ge=100)
    kpts: Optional[Kpts] = field(None, "Monkhorst-Pack grid of the 32-atom cells; null: chosen by the "
                                       "convergence stage")
    te_blind_K: float = field(300.0, "T_e of the T_e-blind relabelling (K): the same configurations at one low "
                                     "Fermi-Dirac width", gt=0)
    processes: int = field(1, "GPAW labels computed at once (one thread each)", ge=1)
    timeout_s: Optional[float] = field(None, "give up one label after this many seconds (recorded, skipped on "
                                             "reruns)", gt=0)


class EosSettings(StrictModel):
    """Cold equation of state of fcc Al (4-atom cubic cells): volumes of the target pressures."""

    lattice_A: list[Positive] = field(default_factory=lambda: [4.10, 3.95, 3.80, 3.65, 3.50, 3.35, 3.20, 3.10, 3.00],
                                      description="cubic fcc lattice constants labelled (A); must bracket "
                                                  "every target pressure", min_length=5)
    ecut_eV: float = field(400.0, "plane-wave cutoff (eV)", ge=100)
    kpts: Kpts = field(default_factory=lambda: [6, 6, 6], description="k-points of the 4-atom cell")
    te_K: float = field(1000.0, "Fermi-Dirac T_e of the cold curve (K; the 0 K limit within ~0.1 GPa for Al)",
                        gt=0)


class ConvergenceSettings(StrictModel):
    """Convergence table at the highest density: cutoff, k-points and cell size."""

    pressure_GPa: Optional[Pressure_GPa] = field(None, "pressure whose cold volume is used (null: the highest "
                                                       "of pressures_GPa)")
    repeat: int = field(2, "test cells: n x n x n cubic fcc cells (32 atoms for n = 2; the labels use the same)",
                        ge=1)
    ecut_eV: list[Annotated[float, Field(ge=100)]] = field(default_factory=lambda: [250.0, 300.0, 350.0, 400.0,
                                                                                    500.0],
                                                          description="cutoffs tested (eV); the largest is the "
                                                                      "reference", min_length=2)
    kpts: list[Annotated[int, Field(ge=1)]] = field(default_factory=lambda: [1, 2, 3],
                                                    description="n of the n x n x n grids tested on 32 atoms; the "
                                                                "largest is the reference", min_length=2)
    base_ecut_eV: float = field(300.0, "cutoff of the k-point and size series (eV)", ge=100)
    base_kpts: int = field(2, "n x n x n grid of the cutoff and size series", ge=1)
    te_K: list[Positive] = field(default_factory=lambda: [300.0, 8000.0],
                                 description="T_e of the k-point series (K): the blind relabelling's and a hot "
                                             "one; the cutoff series uses the hottest", min_length=1)
    solid_rattle_A: float = field(0.15, "random displacement of the solid test cell (A, ~ thermal at T_m)", ge=0)
    liquid_T_K: Temperature_K = field(9000.0, "NVT temperature of the liquid snapshots (K)")
    snapshot_potential: PotentialSpec = field(default_factory=lambda: PotentialSpec(**ZHOU_AL),
                                              description="classical potential that makes the liquid snapshots "
                                                          "(at the DFT density) and is the control variate of the "
                                                          "size test")
    size_atoms: int = field(64, "the larger liquid cell of the size test (atoms; the smaller is the test cell)",
                            ge=2)
    size_snapshots: int = field(3, "liquid snapshots of each size labelled for the size test", ge=1)
    energy_tol_meV_per_atom: float = field(2.0, "settings hold the liquid-solid energy difference to this "
                                                "(meV/atom)", gt=0)
    pressure_tol_GPa: float = field(1.0, "... and the pressure to this (GPa)", gt=0)

    @model_validator(mode="after")
    def _sizes(self) -> "ConvergenceSettings":
        if self.size_atoms <= 4 * self.repeat ** 3:
            raise ValueError(f"size_atoms = {self.size_atoms} must exceed the {4 * self.repeat ** 3} atoms of the "
                             "test cell")
        return self


class EstimateSettings(StrictModel):
    """Cheap T_m(P) to place the active-learning grid: a classical melt where the potential holds,
    carried to high pressure by Lindemann's law on the DFT cold curve."""

    potential: PotentialSpec = field(default_factory=lambda: PotentialSpec(**MENDELEV_AL),
                                     description="classical potential melted by ptmlp melt")
    reference_pressure_GPa: Pressure_GPa = field(0.0, "pressure of its melting point (GPa) that anchors the "
                                                      "scaling")
    check_pressure_GPa: Optional[Pressure_GPa] = field(10.0, "a second melt of the same potential: its T_m is "
                                                             "compared with the scaling law on its own cold curve "
                                                             "(null: no check)")
    start_T_K: Temperature_K = field(930.0, "NPH start temperature at the reference pressure (K)")
    seeds: list[Annotated[int, Field(ge=1)]] = field(default_factory=lambda: [1, 2], min_length=1,
                                                     description="seeds of each melt")
    lattice_A: float = field(4.05, "its fcc lattice constant at 0 GPa (A)", gt=0)
    cold_curve_min_fraction: float = field(0.95, "its cold curve is fitted from 1.02 down to this x lattice_A "
                                                 "(keep inside the potential's range: Al_mm.eam.fs peaks at "
                                                 "0.94)", gt=0.5, lt=1.0)
    cell: CellConfig = field(default_factory=lambda: CellConfig(replicate=[5, 5, 20]),
                             description="interface cell of the melts")
    md: MDConfig = field(default_factory=lambda: MDConfig(timestep_ps=0.002, solid_equilibration_ps=10,
                                                          reference_ps=6, melt_ps=6, cool_ps=2, coexistence_ps=60,
                                                          discard_ps=10, thermostat_damp_ps=0.2,
                                                          sample_every_steps=25),
                         description="run lengths of the melts (ptmlp melt md:)")
    temperature_factors: list[Positive] = field(default_factory=lambda: [0.8, 1.0, 1.25], min_length=1,
                                                description="active-learning temperatures = factor x T_m estimate")
    parallel_runs: int = field(1, "LAMMPS runs at once", ge=1)


class InitialSettings(StrictModel):
    """Starting data of the active learning: solid and liquid cells at every (P, T), T_e = T."""

    repeat: int = field(2, "n x n x n cubic fcc cells (32 atoms for n = 2)", ge=1)
    solid_rattle_A: float = field(0.1, "random displacements of the solid copies (A)", ge=0)
    copies: int = field(1, "labelled copies per (P, T, phase)", ge=1)
    liquid_T_K: Temperature_K = field(9000.0, "the liquid cells are melted by snapshot_potential at this T (K) at "
                                              "each pressure's density")
    md_steps: int = field(3000, "NVT steps that melt them", ge=100)


class ActiveLearningSettings(StrictModel):
    """ptmlp al over the (P, T, T_e = T) points (the loop's own convergence criterion)."""

    model: ModelConfig = field(default_factory=lambda: ModelConfig(
        type_names=["Al"], r_cut=4.5, n_radial=6, n_channels=8, l_max=2, hidden_widths=[32, 32],
        electronic_temperature=True), description="ensemble members (electronic_temperature must be true)")
    training: TrainConfig = field(default_factory=lambda: TrainConfig(epochs=120, batch_frames=4, lr=5e-3,
                                                                      lr_final=1e-4,
                                                                      early_stopping_patience_epochs=30),
                                  description="training of each member (iteration k uses seed + 100 k)")
    ensemble: int = field(4, "ensemble members", ge=4)
    select: SelectConfig = field(default_factory=lambda: SelectConfig(trust_lo=0.15, trust_hi=0.8,
                                                                      max_per_iteration=20, max_per_point=2),
                                 description="selection by force deviation (eV/A)")
    steps: int = field(2000, "MD steps of each exploration run", ge=1)
    every: int = field(50, "frames dumped / deviation evaluated every this many steps", ge=1)
    dt_ps: float = field(0.001, "MD time step (ps)", gt=0)
    max_iterations: int = field(12, "stop after this many iterations", ge=1)
    target_accurate_fraction: float = field(0.9, "converged when this fraction of explored frames is accurate "
                                                 "in two consecutive iterations ...", gt=0, le=1)
    rmse_improvement_tol: float = field(0.1, "... and the validation force RMSE improved by less than this "
                                             "fraction", ge=0)
    processes: int = field(1, "exploration runs at once", ge=1)

    @model_validator(mode="after")
    def _te_model(self) -> "ActiveLearningSettings":
        if not self.model.electronic_temperature:
            raise ValueError("model.electronic_temperature must be true: the loop explores with T_e = T")
        return self


class PotentialSettings(StrictModel):
    """The two final potentials, trained on the same configurations and the same split."""

    model: ModelConfig = field(default_factory=lambda: ModelConfig(
        type_names=["Al"], r_cut=4.5, n_radial=6, n_channels=8, l_max=2, hidden_widths=[32, 32]),
        description="architecture of both (electronic_temperature is set: true for the aware one, false for "
                    "the blind one)")
    training: TrainConfig = field(default_factory=lambda: TrainConfig(epochs=300, batch_frames=4, lr=5e-3,
                                                                      lr_final=5e-5,
                                                                      early_stopping_patience_epochs=60),
                                  description="training of both")
    split_fractions: list[Annotated[float, Field(ge=0, le=1)]] = field(
        default_factory=lambda: [0.8, 0.1, 0.1], min_length=3, max_length=3,
        description="train / validation / test fractions of the source trajectories (groups)")


class MeltSettings(StrictModel):
    """Melting curves of both potentials by NPH coexistence (ptmlp melt)."""

    seeds: list[Annotated[int, Field(ge=1)]] = field(default_factory=lambda: [1, 2, 3, 4], min_length=4,
                                                     description="independent coexistence runs per point (>= 4)")
    cell: CellConfig = field(default_factory=lambda: CellConfig(replicate=[5, 5, 20]),
                             description="interface cell")
    md: MDConfig = field(default_factory=lambda: MDConfig(timestep_ps=0.001, solid_equilibration_ps=5,
                                                          reference_ps=6, melt_ps=5, cool_ps=2, coexistence_ps=40,
                                                          discard_ps=8, thermostat_damp_ps=0.1,
                                                          sample_every_steps=25),
                         description="run lengths (ptmlp melt md:)")
    settle: SettleConfig = field(default_factory=SettleConfig, description="acceptance of runs")
    retries: int = field(2, "NPH restarts from a corrected start T", ge=0)
    size_check_pressure_GPa: Optional[Pressure_GPa] = field(100.0, "pressure of the size check (null: none)")
    size_check_cell: CellConfig = field(default_factory=lambda: CellConfig(replicate=[7, 7, 28]),
                                        description="the larger cell of the size check")
    parallel_runs: int = field(1, "LAMMPS runs at once", ge=1)
    nprocs: int = field(1, "MPI ranks per LAMMPS run", ge=1)


class EntropySettings(StrictModel):
    """Electronic entropy and enthalpy of solid and liquid at T_m (NPT, T_e-aware model)."""

    repeat: int = field(4, "n x n x n cubic fcc cells of each phase", ge=2)
    equilibration_ps: float = field(5.0, "NPT equilibration (ps)", gt=0)
    production_ps: float = field(20.0, "NPT production (ps)", gt=0)
    timestep_ps: float = field(0.001, "time step (ps)", gt=0)
    melt_factor: float = field(1.5, "the liquid is made at this x T_m, then cooled to T_m", gt=1)


class RecipeConfig(StrictModel):
    """Electronic entropy and the melting of Al: the whole campaign of issue #25."""

    workdir: OutputPath = field("al_te_run", "folder of the campaign: recipe_state.json, one folder per stage")
    pressures_GPa: list[Pressure_GPa] = field(default_factory=lambda: [0.0, 50.0, 100.0, 200.0, 300.0],
                                              min_length=3, description="pressures of the melting curve (GPa)")
    dft: DftSettings = field(default_factory=DftSettings, description="GPAW settings of every label")
    eos: EosSettings = field(default_factory=EosSettings, description="stage eos")
    convergence: ConvergenceSettings = field(default_factory=ConvergenceSettings, description="stage convergence")
    estimate: EstimateSettings = field(default_factory=EstimateSettings, description="stage estimate")
    initial: InitialSettings = field(default_factory=InitialSettings, description="stage initial")
    active_learning: ActiveLearningSettings = field(default_factory=ActiveLearningSettings,
                                                    description="stage active_learning")
    potentials: PotentialSettings = field(default_factory=PotentialSettings, description="stages relabel, train")
    melt: MeltSettings = field(default_factory=MeltSettings, description="stage melt")
    entropy: EntropySettings = field(default_factory=EntropySettings, description="stage entropy")
    experiment_T_m_K: float = field(933.47, "experimental melting point of Al at 0 GPa (K), the anchor", gt=0)
    solid: Literal["fcc"] = field("fcc", "solid phase melted at every pressure (fcc; DFT puts hcp/bcc above "
                                         "~200 GPa: the curve is the fcc one there)")

    @model_validator(mode="after")
    def _pressures(self) -> "RecipeConfig":
        if len(set(self.pressures_GPa)) != len(self.pressures_GPa):
            raise ValueError("pressures_GPa has duplicates")
        m = self.melt.size_check_pressure_GPa
        if m is not None and m not in self.pressures_GPa:
            raise ValueError(f"melt.size_check_pressure_GPa = {m:g} is not one of pressures_GPa")
        return self

    @property
    def highest_pressure_GPa(self) -> float:
        return self.convergence.pressure_GPa if self.convergence.pressure_GPa is not None else max(self.pressures_GPa)

