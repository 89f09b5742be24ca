"""Markdown tables of a gpu_bench.json result (bench/gpu/bench.py writes both)."""

from __future__ import annotations

VARIANTS = [("ptmlp_float64", "ptmlp float64, 1 GPU"), ("ptmlp_float32", "ptmlp float32, 1 GPU"),
            ("eam_fs_cpu", "eam/fs, CPU (MPI)")]


def fmt(x, digits: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:.{digits}g}"
    return str(x)


def rate(v: dict) -> str:
    if not isinstance(v, dict):
        return "–"
    if v.get("status") == "failed":
        return f"failed: {v.get('error', '')[:80]}"
    sem = v.get("katom_steps_per_s_sem")
    return f"{v['katom_steps_per_s']:.4g}" + (f" ± {sem:.2g}" if sem is not None else "")


def markdown(res: dict) -> str:
    hw = res.get("hardware", {})
    lines = [f"# ptmlp GPU bench (#22), {res.get('date_utc', '?')}, mode {res.get('mode')}", "",
             f"GPU: {hw.get('gpu', '–')}; CPU: {hw.get('cpu_model', '–')} ({hw.get('cpu_cores', '?')} cores); "
             f"torch {hw.get('torch', '?')} (CUDA {hw.get('torch_cuda', '–')}); nvcc {hw.get('nvcc', '–')}; "
             f"LAMMPS {res.get('stages', {}).get('kit', {}).get('lammps', '?')}", "",
             "| stage | status | s | note |", "|---|---|---|---|"]
    for name, st in res.get("stages", {}).items():
        lines.append(f"| {name} | {st.get('status')} | {fmt(st.get('wall_s'))} | {st.get('error', '')[:160]} |")
    cons = res.get("stages", {}).get("consistency", {})
    if any(k.startswith("device") for k in cons):
        lines += ["", f"## Consistency: device vs CPU (fused C++), {cons.get('atoms')} rattled bcc Fe atoms", "",
                  "| run | dE (eV/atom) | max de_atom (eV) | max dF (eV/Å) | max dP (bar) | |ΣF| (eV/Å) | pass |",
                  "|---|---|---|---|---|---|---|"]
        for k, v in cons.items():
            if not k.startswith("device") or not isinstance(v, dict):
                continue
            if v.get("status") == "failed":
                lines.append(f"| {k} | failed: {v.get('error', '')[:100]} | | | | | no |")
                continue
            lines.append(f"| {k} | {fmt(v['energy_diff_eV_per_atom'])} | {fmt(v['max_atom_energy_diff_eV'])} | "
                         f"{fmt(v['max_force_diff_eV_per_A'])} | {fmt(v['max_pressure_diff_bar'])} | "
                         f"{fmt(v['force_sum_eV_per_A'])} | {'yes' if v.get('pass') else 'NO'} |")
        lines.append(f"\nfloat64 tolerances: {cons.get('tolerances_float64')}; float32: {cons.get('float32_bound')}")
    sizes = res.get("stages", {}).get("timing", {}).get("sizes", {})
    if sizes:
        lines += ["", "## Speed: bcc Fe NVT 1000 K, katom-step/s (mean ± standard error of the timed segments)", "",
                  "| atoms | " + " | ".join(label for _, label in VARIANTS) +
                  " | GPU f64 / EAM | GPU f32 / EAM | device B/atom f64 | device B/atom f32 |",
                  "|---|" + "---|" * (len(VARIANTS) + 4)]
        for n, row in sizes.items():
            cells = [rate(row.get(k)) for k, _ in VARIANTS]
            eam = row.get("eam_fs_cpu", {}).get("katom_steps_per_s") if isinstance(row.get("eam_fs_cpu"), dict) else None
            ratios = []
            for k in ("ptmlp_float64", "ptmlp_float32"):
                v = row.get(k, {}) if isinstance(row.get(k), dict) else {}
                ratios.append(fmt(v["katom_steps_per_s"] / eam) if eam and v.get("katom_steps_per_s") else "–")
            mem = [fmt((row.get(k) or {}).get("device_bytes_per_atom")) if isinstance(row.get(k), dict) else "–"
                   for k in ("ptmlp_float64", "ptmlp_float32")]
            lines.append(f"| {n} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " | " + " | ".join(mem) + " |")
        lines += ["", "## Where the time goes (PTMLP_PROFILE run: % of the profiled phases)", ""]
        for n, row in sizes.items():
            for k in ("ptmlp_float64", "ptmlp_float32"):
                prof = (row.get(k) or {}).get("profile", {}) if isinstance(row.get(k), dict) else {}
                if "phases" not in prof:
                    continue
                parts = ", ".join(f"{name} {p['percent']}% ({1e3 * p['seconds'] / max(p['calls'], 1):.3g} ms/call)"
                                  for name, p in prof["phases"].items())
                lines.append(f"- {n} atoms, {k}: {parts}")
    return "\n".join(lines) + "\n"
