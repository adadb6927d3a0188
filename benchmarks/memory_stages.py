"""Peak resident memory of each stage of ``gi.inpaint`` on the big scratch case (issue 10).

    PYTHONPATH=<checkout> python benchmarks/memory_stages.py 4096 [result.npy]

Builds ``test_bench_pipeline.py``'s image (RGB, 5% scratches) without keeping its coordinate
grids, samples ``VmRSS`` every 10 ms in a thread, and prints the whole call's time, ``VmHWM``,
PSNR over the hole, then the highest RSS seen inside each stage (nested stages as paths; a stage
run by self-validation appears under ``choose_settings``). RSS counts what tracemalloc misses
(SuperLU factors, numba's arrays, freed blocks glibc keeps). ``result.npy`` keeps the result, to
compare two checkouts bit for bit.
"""

from __future__ import annotations

import functools
import sys
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from cases import scratch_mask  # noqa: E402
from graphinpaint import _stages, pipeline  # noqa: E402
from cases import region_fill_module  # noqa: E402

region = region_fill_module()        # where the working region's stages are patched

# (module the pipeline calls it through, name)
STAGES = [(pipeline, name) for name in ("_to_unit_range", "choose_settings",
                                        "_from_unit_range")]
STAGES += [(region, name) for name in ("_layers", "_fill_layers", "_refine", "mix_smooth")]
# The weighted graphs: SciPy's steps before the tenth pass, one pass of _match_graph after it
# (p = 2: the queries' rows and their blocks, solved without solve_dirichlet).
STAGES += [(_stages, name) for name in ("PatchSearch", "_round_matches", "_match_weights",
                                        "_with_grid_edges", "weighted_match_graph", "match_rows",
                                        "query_blocks", "solve_dirichlet", "_solve_p2_blocks")
           if hasattr(_stages, name)]


def _status(key: str) -> float:
    return int(Path("/proc/self/status").read_text().split(key + ":")[1].split()[0]) / 1024


class StageMemory:
    """The highest RSS (MB) seen while each stage runs, stages named by their call path."""

    def __init__(self) -> None:
        self.path, self.peaks = ["inpaint"], {}

    def watch(self, module, name: str) -> None:
        function = getattr(module, name)

        @functools.wraps(function)
        def watched(*args, **kwargs):
            self.path.append(name)
            try:
                return function(*args, **kwargs)
            finally:
                self.path.pop()
        setattr(module, name, watched)

    def sample_forever(self) -> None:
        while True:
            key = "/".join(self.path)
            self.peaks[key] = max(self.peaks.get(key, 0.0), _status("VmRSS"))
            time.sleep(0.01)


def scratch_case(side: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y, x = np.mgrid[:side, :side] / side
    image = np.stack([np.sin(40 * x + 9 * y), np.cos(25 * y * x + 3 * x), np.sin(60 * y)], -1)
    image = ((image * 0.35 + 0.5 + 0.05 * rng.random(image.shape)) * 255).astype(np.uint8)
    return image, scratch_mask((side, side), 0.05, rng)


def main() -> None:
    side = int(sys.argv[1])
    image, hole = scratch_case(side)
    gi.inpaint(image[:256, :256], hole[:256, :256])         # load the kernels (holes there)
    memory = StageMemory()
    for module, name in STAGES:
        memory.watch(module, name)
    threading.Thread(target=memory.sample_forever, daemon=True).start()
    start = time.perf_counter()
    out = gi.inpaint(image, hole)
    seconds = time.perf_counter() - start
    print(f"{side}^2: {seconds:.2f} s, peak {_status('VmHWM'):.0f} MB, "
          f"{gi.metrics.psnr(image, out, hole):.6f} dB, {int(hole.sum())} hole pixels")
    for stage, peak in memory.peaks.items():
        print(f"{peak:8.0f} MB  {stage}")
    if len(sys.argv) > 2:
        np.save(sys.argv[2], out)


if __name__ == "__main__":
    main()
