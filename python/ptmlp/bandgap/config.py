"""Typed config of ``ptmlp bandgap ...`` (one model for every stage; every key documented)."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import model_validator

from ..config import StrictModel, field
from ..config.types import InputFile, OutputPath

#: cations tried on a site (stated list): alkali and alkaline earth, 3d/4d/5d transition metals
#: without Tc, Os, Ir, Pt, Au, Hg, lanthanides without Pm, and the p-block metals and metalloids
DEFAULT_CANDIDATES = ["Li", "Na", "K", "Rb", "Cs", "Be", "Mg", "Ca", "Sr", "Ba",
                      "Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn",
                      "Y", "Zr", "Nb", "Mo", "Ru", "Rh", "Pd", "Ag", "Cd",
                      "Hf", "Ta", "W", "Re",
                      "La", "Ce", "Pr", "Nd", "Sm", "Eu", "Gd", "Tb", "Dy", "Ho", "Er", "Tm", "Yb", "Lu",
                      "B", "Al", "Ga", "In", "Tl", "Si", "Ge", "Sn", "Pb", "As", "Sb", "Bi", "Te"]

THREE_D = ["Sc", "Ti", "V", "Cr", "Mn", "Fe", "Co", "Ni", "Cu", "Zn"]


class DataSpec(StrictModel):
    """The two band-gap tables (columns formula, target in eV)."""

    mp_csv: InputFile = field(description="PBE band gaps (Materials Project, eV) by composition",
                              examples=["../shared/data/bandgap/mp_gap.csv"])
    expt_csv: InputFile = field(description="experimental band gaps (eV) by composition",
                                examples=["../shared/data/bandgap/expt_gap.csv"])


class BoostingSettings(StrictModel):
    """LightGBM settings shared by the classifier and the regressor of the correction."""

    trees: int = field(300, "boosting rounds", ge=1)
    learning_rate: float = field(0.05, "shrinkage per round", gt=0, le=1)
    leaves: int = field(31, "leaves per tree", ge=2)
    min_child_samples: int = field(10, "compositions per leaf at least", ge=1)
    row_fraction: float = field(0.8, "fraction of rows drawn for each tree", gt=0, le=1)
    feature_fraction: float = field(0.8, "fraction of features drawn for each tree", gt=0, le=1)


class CorrectionSettings(StrictModel):
    """PBE -> experiment: hierarchical LightGBM model on Magpie-style features plus the PBE gap."""

    folds: int = field(5, "outer cross-validation folds (each fold held out from every fit, feature selection "
                          "included)", ge=2)
    correlation_max: float = field(0.95, "feature selection step 2: drop a feature whose |Pearson r| with an "
                                         "earlier kept one exceeds this", gt=0, le=1)
    top_features: int = field(30, "feature selection step 3: keep this many features by LightGBM gain "
                                  "(the PBE gap is always kept)", ge=1)
    zero_gap_below_eV: float = field(1e-3, "a PBE or experimental gap below this counts as zero (MP writes "
                                           "1e-4 eV for metals)", gt=0)
    monotone_in_pbe_gap: bool = field(False, "constrain both models to be non-decreasing in the PBE gap (LightGBM "
                                             "monotone constraint)")
    boosting: BoostingSettings = field(default_factory=BoostingSettings, description="LightGBM settings")


class PerturbationSettings(StrictModel):
    """Cationic perturbation of the AB2O4 seeds."""

    candidates: list[str] = field(default_factory=lambda: list(DEFAULT_CANDIDATES),
                                  description="cations tried on the A and the B site", min_length=1)
    steps: int = field(10, "the site is replaced in steps of 1/steps of the site, up to full replacement", ge=1)

    @model_validator(mode="after")
    def _known(self) -> "PerturbationSettings":
        from .elements import is_cation_element
        from .formula import ELEMENT_SYMBOLS

        for i, el in enumerate(self.candidates):
            if el not in ELEMENT_SYMBOLS:
                raise ValueError(f"candidates[{i}] = {el!r} is not an element symbol")
            if not is_cation_element(el):
                raise ValueError(f"candidates[{i}] = {el!r} is not a cation (a metal or metalloid with a positive "
                                 "oxidation state)")
        if len(set(self.candidates)) != len(self.candidates):
            raise ValueError(f"candidates repeat an element: {self.candidates}")
        return self


class ProxyModelSettings(StrictModel):
    """The attention-based composition model (CrabNet-like)."""

    d_model: int = field(64, "width of the element tokens", ge=8)
    heads: int = field(4, "attention heads (d_model must be a multiple)", ge=1)
    layers: int = field(2, "Transformer encoder layers", ge=1)
    feedforward: int = field(128, "width of the encoder's feed-forward layers", ge=8)
    dropout: float = field(0.1, "dropout inside the encoder", ge=0, lt=1)

    @model_validator(mode="after")
    def _heads(self) -> "ProxyModelSettings":
        if self.d_model % self.heads:
            raise ValueError(f"d_model {self.d_model} is not a multiple of heads {self.heads}")
        if self.d_model % 2:
            raise ValueError(f"d_model {self.d_model} must be even (half of it encodes the fraction, half its log)")
        return self


class ProxySettings(StrictModel):
    """Proxy labels: training pool, cross-validation on the seeds, baselines."""

    folds: int = field(5, "folds over the seed compounds; fold k's model never sees fold k (its ensemble of "
                          "fold models labels the perturbed set)", ge=2)
    pool_max_elements: int = field(5, "training pool: the oxides of the corrected PBE set with at most this many "
                                      "elements", ge=3)
    pool_max_size: Optional[int] = field(12000, "use a random subset of this many pool compositions besides the "
                                                "seeds (null: the whole pool of ~32000)", ge=1)
    epochs: int = field(15, "passes over the training pool", ge=1)
    batch_size: int = field(256, "compositions per optimiser step", ge=1)
    learning_rate: float = field(2e-3, "peak AdamW learning rate (one-cycle schedule)", gt=0)
    weight_decay: float = field(1e-4, "AdamW weight decay", ge=0)
    model: ProxyModelSettings = field(default_factory=ProxyModelSettings, description="architecture")
    rf_trees: int = field(100, "trees of the random-forest baseline", ge=1)


class ForestSettings(StrictModel):
    """Random forests of the explainable models."""

    trees: int = field(100, "trees per forest", ge=1)
    min_samples_leaf: int = field(2, "samples per leaf at least", ge=1)
    max_depth: Optional[int] = field(12, "depth limit (null: none)", ge=1)
    max_features: float = field(0.5, "fraction of features tried at each split", gt=0, le=1)


class ExplainSettings(StrictModel):
    """Explainable models on per-site features of the seeds plus the perturbed set."""

    zero_gap_below_eV: float = field(0.1, "a gap below this is 'zero' for the classifier (corrected gaps are 0 "
                                          "or above; proxy labels are continuous)", gt=0)
    regress_from_eV: float = field(0.5, "the regressor is trained and scored on gaps at or above this", ge=0)
    correlation_max: float = field(0.85, "correlation screening: going down the features by |Spearman rho| "
                                         "with the gap, drop one whose |Pearson r| with a kept one exceeds this",
                                   gt=0, le=1)
    max_perturbed: int = field(10000, "perturbed compositions used (a random subset when there are more)", ge=0)
    shap_samples: int = field(200, "compositions explained in the SHAP plots (seeds first, then perturbed)", ge=10)
    forest: ForestSettings = field(default_factory=ForestSettings, description="random-forest settings")


class CurveSettings(StrictModel):
    """Learning curves on held-out real compounds and SHAP ranking stability."""

    sizes: list[int] = field(default_factory=lambda: [250, 1000, 4000],
                             description="perturbed compositions added to the seed training set (0 is always "
                                         "included; sizes beyond what a fold has are dropped)", min_length=1)
    bootstraps: int = field(4, "bootstrap resamples of the training set per size for the SHAP ranking", ge=2)
    top_k: int = field(5, "size of the top set in the top-k overlap of SHAP rankings", ge=1)

    @model_validator(mode="after")
    def _sizes(self) -> "CurveSettings":
        if any(s <= 0 for s in self.sizes) or sorted(set(self.sizes)) != self.sizes:
            raise ValueError(f"sizes {self.sizes} must be positive and increasing")
        return self


class CaseStudy(StrictModel):
    """One AB2O4 compound whose A or B site is replaced stepwise by each listed element."""

    formula: str = field(description="an AB2O4 oxide (A: the cation with 1 per formula, B: with 2)",
                         examples=["ZnBi2O4"])
    sites: list[Literal["A", "B"]] = field(default_factory=lambda: ["A", "B"], description="sites replaced",
                                           min_length=1)
    elements: list[str] = field(default_factory=lambda: THREE_D + ["Cd"], description="replacing elements",
                                min_length=1)

    @model_validator(mode="after")
    def _formula(self) -> "CaseStudy":
        from .seeds import ab2o4_sites

        ab2o4_sites(self.formula)  # raises a one-line InputError (a ValueError) naming the formula
        from .formula import ELEMENT_SYMBOLS

        for i, el in enumerate(self.elements):
            if el not in ELEMENT_SYMBOLS:
                raise ValueError(f"elements[{i}] = {el!r} is not an element symbol")
        return self


def _default_cases() -> list[CaseStudy]:
    return [CaseStudy(formula="ZnBi2O4"), CaseStudy(formula="Mg2SiO4", sites=["B"], elements=["Fe"])]


class BandgapConfig(StrictModel):
    """Explainable band-gap learning by cationic perturbation of AB2O4 oxides (issue #24)."""

    data: DataSpec = field(description="input tables")
    outdir: OutputPath = field("bandgap_out", "output folder (tables, models, plots, summary.json, report.md)")
    seed: int = field(0, "seed of every split, subsample, forest, boosting and network", ge=0)
    threads: int = field(1, "CPU threads of LightGBM, the forests and torch", ge=1)
    correction: CorrectionSettings = field(default_factory=CorrectionSettings, description="PBE -> experiment")
    perturbation: PerturbationSettings = field(default_factory=PerturbationSettings,
                                               description="cationic perturbation")
    proxy: ProxySettings = field(default_factory=ProxySettings, description="attention-based proxy labels")
    explain: ExplainSettings = field(default_factory=ExplainSettings, description="explainable models and SHAP")
    curves: CurveSettings = field(default_factory=CurveSettings, description="learning curves")
    cases: list[CaseStudy] = field(default_factory=_default_cases, description="case studies (stepwise "
                                   "replacement of one site)",
                                   examples=[[{"formula": "ZnBi2O4", "sites": ["A", "B"],
                                               "elements": THREE_D + ["Cd"]},
                                              {"formula": "Mg2SiO4", "sites": ["B"], "elements": ["Fe"]}]])
