"""Config files and the ``ptmlp transport`` command line: one config model per subcommand, flags
generated from it override the file, every bad config is one stderr line naming the dotted key
(exit 2, no traceback), ``--example`` prints a config that validates, the shipped examples load."""

import subprocess
import sys

import pytest

from ptmlp.cli.main import build_parser, main
from ptmlp.cli.transport import options
from ptmlp.config import ConfigError, read_yaml
from ptmlp.resources import inputs_dir
from ptmlp.transport.config import MODELS, load_options
from ptmlp.transport.templates import template_variables


def _opts(argv, cwd, monkeypatch):
    monkeypatch.chdir(cwd)
    return options(build_parser().parse_args(argv))


def test_unknown_key_near_miss(tmp_path):
    (tmp_path / "run_000").mkdir()
    cfg = tmp_path / "k.yaml"
    cfg.write_text("inputs: [run_000]\nmax_corelation_time_ps: 5\n")
    with pytest.raises(ConfigError, match=r"k.yaml: max_corelation_time_ps: unknown key \(did you mean "
                                          r"'max_correlation_time_ps'\?\)"):
        load_options("kappa", cfg)


def test_flags_override_config(tmp_path, monkeypatch):
    for name in ("a", "b", "c"):
        (tmp_path / name).mkdir()
    cfg = tmp_path / "v.yaml"
    cfg.write_text("inputs: [a, b]\ncutoff_ps: 2.5\nhelfand_fit_ps: [2, 10]\nout: results\n")
    opts = _opts(["transport", "viscosity", "v.yaml", "--cutoff-ps", "noise"], tmp_path, monkeypatch)
    assert opts.cutoff_ps == "noise" and opts.helfand_fit_ps == [2.0, 10.0] and opts.method == "green-kubo"
    assert opts.inputs == [str(tmp_path / "a"), str(tmp_path / "b")] and opts.out == str(tmp_path / "results")
    sub = tmp_path / "sub"
    sub.mkdir()
    opts = _opts(["transport", "viscosity", "../c", "--config", "../v.yaml", "--cutoff-ps", "1e-1", "--out", "o"],
                 sub, monkeypatch)  # old --config spelling; flag paths relative to the current folder
    assert opts.inputs == [str(tmp_path / "c")] and opts.cutoff_ps == 0.1 and opts.out == str(sub / "o")


def test_charges_flag(tmp_path, monkeypatch):
    (tmp_path / "r").mkdir()
    opts = _opts(["transport", "conductivity", "r", "--charges-e", "Mg=2, Si=4,O=-2"], tmp_path, monkeypatch)
    assert opts.charges_e == {"Mg": 2.0, "Si": 4.0, "O": -2.0}
    opts = _opts(["transport", "conductivity", "r", "--charges", "Na=1", "Cl=-1"], tmp_path, monkeypatch)
    assert opts.charges_e == {"Na": 1.0, "Cl": -1.0}
    with pytest.raises(ConfigError, match=r"command line: charges_e.Mg2 = 'Mg2' \(a string\): expected a number"):
        _opts(["transport", "conductivity", "r", "--charges-e", "Mg2"], tmp_path, monkeypatch)


def test_flag_errors_name_the_command_line(tmp_path, capsys):
    (tmp_path / "r").mkdir()
    cfg = tmp_path / "k.yaml"
    cfg.write_text(f"inputs: [{tmp_path / 'r'}]\nmethod: nemd\n")
    assert main(["transport", "kappa", str(cfg), "--n-batches", "2.5"]) == 2
    assert capsys.readouterr().err == ("ptmlp transport: error: command line: n_batches = 2.5 (a number): "
                                       "expected an integer\n")
    assert main(["transport", "kappa", str(cfg), "--no-decorrelate"]) == 2
    assert capsys.readouterr().err == ("ptmlp transport: error: command line: decorrelate belongs to method "
                                       "green-kubo (method is nemd)\n")


_BAD = {
    "kappa": [("max_correlation_time_ps: long", "max_correlation_time_ps = 'long' (a string): expected a number"),
              ("method: nemd\nn_batches: 2.5", "n_batches = 2.5 (a number): expected an integer"),
              ("decorelate: false", "decorelate: unknown key (did you mean 'decorrelate'?)"),
              ("f_cut_THz: -1", "f_cut_THz = -1 (an integer): expected > 0"),
              ("cutoff_ps: plateau", "cutoff_ps = 'plateau' (a string): expected noise, first-zero or a cutoff"),
              ("method: magic", "method = 'magic' (a string): expected one of 'green-kubo', 'nemd'"),
              ("steady_steps: 100", "steady_steps belongs to method nemd (method is green-kubo)"),
              ("inputs: []", "inputs = [] (a list): expected at least 1 item(s)"),
              ("inputs: [nowhere]", "inputs[0] = 'nowhere' (a string): no such file or folder")],
    "viscosity": [("shear_extrapolation: cubic", "shear_extrapolation = 'cubic' (a string): expected one of"),
                  ("helfand_fit_ps: [5, 2]", "helfand_fit_ps = [5, 2] (a list): expected [start, end] with 0 <= "),
                  ("method: muller-plathe\nexclude_bins: 1.0", "exclude_bins = 1.0 (a number): expected an integer"),
                  ("helfand_fit: [1, 2]", "helfand_fit: unknown key (did you mean 'helfand_fit_ps'?)"),
                  ("volume_A3: 0", "volume_A3 = 0 (an integer): expected > 0"),
                  ("inputs: run_000", "inputs = 'run_000' (a string): expected a list")],
    "diffusion": [("viscosity_summary: missing.json", "viscosity_summary = 'missing.json' (a string): no such file"),
                  ("max_fit_fraction: 1.5", "max_fit_fraction = 1.5 (a number): expected <= 1"),
                  ("beta_tolerance: small", "beta_tolerance = 'small' (a string): expected a number"),
                  ("fit_window_ps: [1]", "fit_window_ps = [1] (a list): expected at least 2 item(s)"),
                  ("timestep: 0.001", "timestep: unknown key (did you mean 'timestep_ps'?)"),
                  ("viscosity_Pa_s: 1e-3\nviscosity_summary: bad.yaml", "give viscosity_Pa_s or viscosity_summary")],
    "conductivity": [("charges_e: {Mg: two}", "charges_e.Mg = 'two' (a string): expected a number"),
                     ("charges_e: {Na: 1}\nnernst_einstain: true", "nernst_einstain: unknown key (did you mean "
                                                                   "'nernst_einstein'?)"),
                     ("charges_e: {Na: 1}\nnernst_einstein: 'yes'", "nernst_einstein = 'yes' (a string): expected "
                                                                    "true or false"),
                     ("charges_e: {Na: 1}\ncutoff_ps: -1", "cutoff_ps = -1 (an integer): expected noise"),
                     ("inputs: [run_000]", "charges_e: required key missing (formal charges")],
}
_RUN = ("template: msd\npotential: {pair_style: eam/fs, pair_coeff: ['* * {potentials}/Al_mm.eam.fs Al']}\n"
        "structure: {name: Al, crystalstructure: fcc, a_A: 4.22}\n")
_BAD["run"] = [
    (_RUN.replace("msd", "gk_kapa"), "template = 'gk_kapa' (a string): expected one of"),
    (_RUN + "n_runs: 1.5", "n_runs = 1.5 (a number): expected an integer"),
    (_RUN + "n_runs: 0", "n_runs = 0 (an integer): expected >= 1"),
    (_RUN + "nprocs: '2'", "nprocs = '2' (a string): expected an integer"),
    (_RUN + "n_run: 2", "n_run: unknown key (did you mean 'n_runs'?)"),
    ("template: msd\npotential: {pair_style: eam/fs, pair_coeff: ['* * x Al']}", "structure: required key missing"),
    (_RUN.replace("pair_coeff: ['* * {potentials}/Al_mm.eam.fs Al']", "pair_coef: []"),
     "potential.pair_coef: unknown key (did you mean 'pair_coeff'?)"),
    (_RUN.replace("{name: Al, crystalstructure: fcc, a_A: 4.22}", "{file: missing.xyz}"),
     "structure.file = 'missing.xyz' (a string): no such file"),
    (_RUN.replace("{name: Al, crystalstructure: fcc, a_A: 4.22}", "{name: Al, crystalstructure: fcc, a_A: -4}"),
     "structure.a_A = -4 (an integer): expected > 0"),
    ("template: msd\npotential: {lj: {epsilon_eV: 0.01, sigma_A: 3.4, shift: 'false'}}\nstructure: {name: Ar, "
     "crystalstructure: fcc}", "potential.lj: unknown key"),
    (_RUN + "variables: {T: hot}", "variables.T = 'hot': expected a number (msd.in's default is 300)"),
    (_RUN + "variables: {run_step: 1000}", "variables.run_step: msd.in has no variable 'run_step' (did you mean "
                                            "'run_steps'?)"),
    (_RUN + "variables: {pressure: true}", "variables.pressure: msd.in has no variable 'pressure'"),
    (_RUN + "variables: {rescale_T: 1}", "variables.rescale_T = 1: expected true or false"),
    (_RUN + "variables: {seed: 3}", "variables.seed: set by ptmlp transport from first_seed; remove it"),
    (_RUN + "variables: {T: [1, 2]}", "variables.T = [1, 2] (a list): expected a number, a string or true/false"),
]


@pytest.mark.parametrize("command, text, message", [(c, t, m) for c, cases in _BAD.items() for t, m in cases])
def test_bad_config_is_one_line_naming_the_key(tmp_path, capsys, command, text, message):
    (tmp_path / "run_000").mkdir()
    if command != "run" and not text.startswith("inputs"):
        text = "inputs: [run_000]\n" + text
    cfg = tmp_path / "bad.yaml"
    cfg.write_text(text + "\n")
    assert main(["transport", command, str(cfg)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"ptmlp transport: error: {cfg}: " in err
    assert message in err, err


def test_missing_config_file_and_no_config(tmp_path, capsys):
    assert main(["transport", "run", str(tmp_path / "none.yaml")]) == 2
    assert capsys.readouterr().err == f"ptmlp transport: error: {tmp_path / 'none.yaml'}: no such config file\n"
    assert main(["transport", "run"]) == 2
    assert "give a config file (ptmlp transport run --example prints a complete one)" in capsys.readouterr().err
    assert main(["analyze", "diffusion"]) == 2
    assert capsys.readouterr().err.startswith("ptmlp analyze: error: command line: inputs: required key missing")
    assert main(["transport", "kappa", "a.yaml", "--config", "b.yml"]) == 2
    assert capsys.readouterr().err == "ptmlp transport: error: give one config file, not 2 (a.yaml, b.yml)\n"


def test_python_api_checks_template_variables(tmp_path):
    """run_template refuses a variable its template does not declare before anything runs."""
    from ase.build import bulk

    from ptmlp.errors import InputError
    from ptmlp.potential import PotentialSpec
    from ptmlp.transport.drivers import run_template

    pot = PotentialSpec(pair_style="lj/cut 8.5", pair_coeff=["* * 0.0103 3.405"])
    with pytest.raises(InputError, match=r"variables.T_melts: gk_kappa.in has no variable 'T_melts' \(did you mean "
                                         r"'T_melt'\?\)"):
        run_template("gk_kappa", tmp_path / "run", pot, bulk("Ar", "fcc", a=5.7, cubic=True), variables={"T_melts": 300})
    assert not (tmp_path / "run").exists()


@pytest.mark.parametrize("command", list(MODELS))
def test_example_is_complete_and_validates(tmp_path, capsys, command):
    assert main(["transport", command, "--example"]) == 0
    text = capsys.readouterr().out
    for key in MODELS[command].model_fields:
        assert f"\n{key}:" in text, key
    (tmp_path / "transport_runs/run_000").mkdir(parents=True)
    (tmp_path / "transport_runs/run_001").mkdir()
    (tmp_path / "ex.yaml").write_text(text)
    opts = load_options(command, tmp_path / "ex.yaml")
    assert opts.to_dict()


@pytest.mark.parametrize("command", list(MODELS))
def test_help_says_example_prints_every_key(command):
    text = subprocess.run([sys.executable, "-m", "ptmlp.cli.main", "transport", command, "--help"],
                          capture_output=True, text=True).stdout
    assert "--example" in text and "every key" in text.replace("\n", " ").replace("  ", " ")


@pytest.mark.parametrize("path", sorted((inputs_dir() / "transport").glob("*.yaml")), ids=lambda p: p.name)
def test_shipped_examples_load(path):
    """Every shipped transport example validates (variables against its template too)."""
    opts = load_options("run", path)
    assert set(opts.variables) <= set(template_variables(opts.template))
    assert opts.potential.kind == "lammps" and len(opts.structure.load()) >= 100
    assert read_yaml(path)["workdir"] == opts.workdir.rsplit("/", 1)[-1]


def test_lj_has_lammps_defaults(tmp_path):
    """One potential spec: no energy shift unless extra_commands asks for it."""
    cfg = tmp_path / "lj.yaml"
    cfg.write_text("template: gk_viscosity\npotential: {pair_style: lj/cut 8.5, pair_coeff: ['* * 0.0103 3.405']}\n"
                   "structure: {name: Ar, crystalstructure: fcc, a_A: 5.72}\n")
    text = load_options("run", cfg).potential.include_text(["Ar"], masses=False)
    assert "pair_modify" not in text and "pair_style lj/cut 8.5" in text


def test_cli_user_errors_are_one_line(tmp_path):
    p = subprocess.run([sys.executable, "-m", "ptmlp.cli.main", "transport", "kappa", "missing_heatflux.dat"],
                       cwd=tmp_path, capture_output=True, text=True)
    assert p.returncode == 2
    assert p.stderr.strip().count("\n") == 0 and "Traceback" not in p.stderr
    assert "command line: inputs[0]" in p.stderr and "missing_heatflux.dat" in p.stderr and "no such file" in p.stderr
