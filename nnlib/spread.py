"""Repeated runs: a claim about training must hold for every seed, so measure it over several.

    over_seeds(run, seeds=range(10))  -> Spread, or {name: Spread} if run returns a dict
    Spread.mean, .sd, .min, .max, .n  -> summary numbers; .values (n,) and .seeds (n,)
    f"{spread:.1%}"                   -> '97.2% ± 0.7% (min 95.8%, max 98.1%; 10 seeds)'
    Spread of True/False              -> '23 of 30 seeds (77%; 95% interval 59%–88%)'

One run of training is an example, never a fact: which optimizer wins, where divergence
starts or what accuracy a network reaches all move with the seed (the data and the starting
weights) and with the last bits of rounding, which differ from one machine to the next.
So a lesson runs the experiment once per seed, shows the spread, and asserts its claim
for every seed (`spread.min > 0.95`, not `accuracy > 0.95` for seed 0).

For a yes/no outcome (did the run learn XOR?) the spread is a success rate, shown with
its Wilson 95 % interval: the true rates under which the count seen is not surprising
(repeated with fresh seeds, about 95 % of such intervals contain the true rate).
"""

import dataclasses
import math
import numbers

import numpy as np

from ._validate import callable_or_none
from ._validate import seed as check_seed

Z_95 = 1.959963984540054  # the standard normal's 97.5 % point: a two-sided 95 % interval


def _outcome(value, seed, key=None):
    """One run's result as a float, or a bool for a yes/no outcome; else a clear error."""
    where = f"run(seed={seed})" + (f"[{key!r}]" if key is not None else "")
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{where} returned {value!r} ({type(value).__name__}); expected one "
                        "real number, True/False, or a dict of them")
    if not math.isfinite(value):
        raise ValueError(f"{where} returned {value}; expected a finite number (map a diverged "
                         "run to a number or to True/False yourself, so the spread means something)")
    return float(value)


@dataclasses.dataclass(frozen=True, eq=False)
class Spread:
    """One quantity measured once per seed.

    values: (n,) float64 results, or bool for yes/no outcomes; seeds: (n,) the seeds used.
    """

    values: np.ndarray
    seeds: np.ndarray

    @property
    def n(self):
        return self.values.size

    @property
    def is_rate(self):
        """True if every run gave a yes/no outcome: then mean is the success rate."""
        return self.values.dtype == bool

    @property
    def mean(self):
        return float(self.values.mean())

    @property
    def sd(self):
        """The sample standard deviation (n − 1 in the denominator); 0.0 for one run."""
        return float(self.values.std(ddof=1)) if self.n > 1 else 0.0

    @property
    def min(self):
        return float(self.values.min())

    @property
    def max(self):
        return float(self.values.max())

    def interval(self, z=Z_95):
        """(low, high): the Wilson score interval of a success rate (95 % by default)."""
        if not self.is_rate:
            raise TypeError("interval() is for yes/no outcomes (a success rate); these runs "
                            "returned numbers: use min and max, or mean ± sd")
        k, n = int(self.values.sum()), self.n
        centre = (k + z * z / 2) / (n + z * z)
        half = z * math.sqrt(k * (n - k) / n + z * z / 4) / (n + z * z)
        return max(0.0, centre - half), min(1.0, centre + half)

    def __format__(self, spec):
        if self.is_rate:
            spec = spec or ".0%"
            low, high = self.interval()
            return (f"{int(self.values.sum())} of {self.n} seeds ({self.mean:{spec}}; "
                    f"95% interval {low:{spec}}–{high:{spec}})")
        spec = spec or ".3g"
        return (f"{self.mean:{spec}} ± {self.sd:{spec}} (min {self.min:{spec}}, "
                f"max {self.max:{spec}}; {self.n} seeds)")

    def __str__(self):
        return format(self, "")


def over_seeds(run, seeds=range(10)):
    """Call run(seed) for each seed and collect what it returns.

    run: a function of one integer seed returning a real number, True/False, or a dict
    {name: number or bool} with the same names every time. seeds: distinct integers ≥ 0.
    Returns a Spread, or a dict {name: Spread} when run returns dicts.
    """
    if run is None:
        raise TypeError("run must be a function of one seed, got None")
    callable_or_none("run", run)
    if isinstance(seeds, (str, bytes)) or not hasattr(seeds, "__iter__"):
        raise TypeError(f"seeds must be a sequence of integers like range(10), got {seeds!r}")
    seeds = [check_seed(s, name="each seed") for s in seeds]
    if not seeds or None in seeds:
        raise ValueError(f"seeds must hold at least one integer ≥ 0, got {seeds!r}")
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must be distinct (a repeated seed repeats a run), got {seeds!r}")
    results = [run(s) for s in seeds]
    seeds = np.array(seeds)
    if isinstance(results[0], dict):
        names = list(results[0])
        for s, result in zip(seeds, results):
            if not isinstance(result, dict) or list(result) != names:
                got = list(result) if isinstance(result, dict) else type(result).__name__
                raise ValueError(f"run(seed={s}) returned {got}, while run(seed={seeds[0]}) "
                                 f"returned the names {names}: every run must return the same")
        return {name: _spread([r[name] for r in results], seeds, name) for name in names}
    return _spread(results, seeds)


def _spread(results, seeds, key=None):
    outcomes = [_outcome(value, s, key) for value, s in zip(results, seeds)]
    kinds = {type(o) for o in outcomes}
    if len(kinds) > 1:
        raise TypeError(f"run{'' if key is None else f'[{key!r}]'} returned True/False for some "
                        "seeds and numbers for others; expected one kind")
    return Spread(np.array(outcomes), seeds)
