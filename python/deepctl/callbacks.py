"""Callbacks: Python objects the trainers call after each step and each epoch."""
import time


class Callback:
    """Base class. Override on_step(report) and/or on_epoch(report); return False to stop
    the run (None or True continue). report is a StepReport (step, epoch, loss, grad_norm,
    lr) or an EpochReport (epoch, step, train_loss, test.loss, test.accuracy)."""

    def on_step(self, report):
        return True

    def on_epoch(self, report):
        return True


class History(Callback):
    """Records every step and epoch with the wall time since it was made (or reset)."""

    def __init__(self):
        self.steps, self.epochs = [], []
        self._t0 = time.perf_counter()

    def on_step(self, r):
        self.steps.append({"step": r.step, "epoch": r.epoch, "loss": r.loss,
                           "grad_norm": r.grad_norm, "lr": r.lr,
                           "wall_time": time.perf_counter() - self._t0})
        return True

    def on_epoch(self, r):
        self.epochs.append({"epoch": r.epoch, "step": r.step, "train_loss": r.train_loss,
                            "test_loss": r.test.loss, "test_accuracy": r.test.accuracy,
                            "wall_time": time.perf_counter() - self._t0})
        return True

    def __repr__(self):
        last = self.epochs[-1] if self.epochs else None
        return f"History(steps={len(self.steps)}, epochs={len(self.epochs)}, last_epoch={last})"


class LayerMonitor(Callback):
    """Every `every` steps, per-layer statistics of the trainer's θ on a fixed probe batch
    (Problem.layer_statistics), recorded in the run folder's "layers" format for
    figures.layer_statistics."""

    def __init__(self, problem, trainer, X, Y, every=50):
        self.problem, self.trainer, self.X, self.Y, self.every = problem, trainer, X, Y, every
        self.records = []

    def on_step(self, r):
        if r.step % self.every == 0:
            self.records.append({"step": r.step, "epoch": r.epoch + 1, "layers":
                                 self.problem.layer_statistics(self.X, self.Y, self.trainer.params)})
        return True
