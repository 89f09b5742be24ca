"""Loss weights of the energy, force and virial tasks: fixed, DeePMD-style ramps, or GradNorm.

GradNorm (Chen, Badrinarayanan, Lee, Rabinovich, ICML 2018): learned task weights w_i are
updated so that the gradient norms G_i = w_i ||d L_i / d W|| on shared parameters W approach
mean(G) * r_i^alpha, with r_i the task's relative inverse training rate L_i(t)/L_i(0) over its
mean; weights are renormalised to sum to the number of tasks. :class:`GradNorm` does this for
any number of tasks (the surface-property networks of ``ptmlp.surfaces`` use it too); for the
potentials W is the radial-species mixing matrix every task depends on.
"""

from __future__ import annotations

import torch

from .config import TrainConfig

TASKS = ("energy", "force", "virial")


class GradNorm:
    """GradNorm weights of ``n_tasks`` tasks: ``w`` starts at ones and moves by Adam with
    learning rate ``lr`` on sum_i |G_i - target_i| (targets held constant), asymmetry ``alpha``."""

    def __init__(self, n_tasks: int, alpha: float, lr: float, dtype: torch.dtype = torch.float64):
        self.n_tasks, self.alpha, self.lr = n_tasks, alpha, lr
        self.w = torch.ones(n_tasks, dtype=dtype)
        self.initial_losses: torch.Tensor | None = None
        self.exp_avg = torch.zeros(n_tasks, dtype=dtype)  # Adam state of the weights
        self.exp_avg_sq = torch.zeros(n_tasks, dtype=dtype)
        self.steps = 0

    def update(self, losses: torch.Tensor, present: torch.Tensor, shared: torch.nn.Parameter) -> None:
        """One GradNorm step from task losses (graph kept) on the shared parameter; tasks with
        ``present[k]`` false (no data in this batch) keep their weight."""
        n = self.n_tasks
        idx = [k for k in range(n) if bool(present[k])]
        if len(idx) < 2:
            return
        norms = torch.zeros(n, dtype=self.w.dtype)
        for k in idx:
            (g,) = torch.autograd.grad(losses[k], shared, retain_graph=True, allow_unused=True)
            norms[k] = 0.0 if g is None else float(g.detach().norm())
        detached = losses.detach().to(self.w.dtype)
        if self.initial_losses is None:
            self.initial_losses = detached.clone().clamp(min=1e-30)
        sel = torch.tensor(idx)
        g = self.w[sel] * norms[sel]
        ratio = detached[sel] / self.initial_losses[sel]
        r = ratio / ratio.mean()
        target = g.mean() * r.pow(self.alpha)
        grad_w = torch.zeros(n, dtype=self.w.dtype)
        grad_w[sel] = torch.sign(g - target) * norms[sel]  # d sum|G_i - target_i| / d w_i
        # Adam on the weights, then renormalise to sum = number of tasks present
        self.steps += 1
        b1, b2, eps = 0.9, 0.999, 1e-8
        self.exp_avg.mul_(b1).add_((1 - b1) * grad_w)
        self.exp_avg_sq.mul_(b2).add_((1 - b2) * grad_w * grad_w)
        m_hat = self.exp_avg / (1 - b1 ** self.steps)
        v_hat = self.exp_avg_sq / (1 - b2 ** self.steps)
        w = self.w - self.lr * m_hat / (v_hat.sqrt() + eps)
        w = w.clamp(min=1e-3)
        w[sel] = w[sel] * len(idx) / w[sel].sum()
        self.w = w

    def state_dict(self) -> dict:
        return {"w": self.w.clone(), "initial_losses": self.initial_losses, "gn_exp_avg": self.exp_avg.clone(),
                "gn_exp_avg_sq": self.exp_avg_sq.clone(), "gn_steps": self.steps}

    def load_state_dict(self, state: dict) -> None:
        self.w = state["w"]
        self.initial_losses = state["initial_losses"]
        self.exp_avg, self.exp_avg_sq = state["gn_exp_avg"], state["gn_exp_avg_sq"]
        self.steps = state["gn_steps"]


class TaskWeights:
    def __init__(self, config: TrainConfig, dtype: torch.dtype):
        self.config = config
        self.mode = config.weighting
        self.gradnorm = GradNorm(len(TASKS), config.gradnorm_alpha, config.gradnorm_lr, dtype)
        if self.mode != "gradnorm":
            self.gradnorm.w = torch.tensor([getattr(config.loss_weights, t) for t in TASKS], dtype=dtype)

    @property
    def w(self) -> torch.Tensor:
        return self.gradnorm.w

    def current(self, lr: float) -> torch.Tensor:
        if self.mode == "ramp":
            start = torch.tensor([getattr(self.config.ramp_start, t) for t in TASKS], dtype=self.w.dtype)
            return self.w + (start - self.w) * (lr / self.config.lr)
        return self.w

    def gradnorm_update(self, losses: torch.Tensor, present: torch.Tensor, shared: torch.nn.Parameter) -> None:
        """One GradNorm step from task losses (graph kept) on the shared parameter."""
        self.gradnorm.update(losses, present, shared)

    def state_dict(self) -> dict:
        return self.gradnorm.state_dict()

    def load_state_dict(self, state: dict) -> None:
        self.gradnorm.load_state_dict(state)
