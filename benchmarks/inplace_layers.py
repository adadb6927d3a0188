"""The image's layers filled in place or on a working copy, one call each (issue 10).

    python benchmarks/inplace_layers.py 4096 copy      # then: ... 4096 inplace, alternated

Wall time, the calling thread's CPU and the peak (ru_maxrss) of one ``inpaint`` call on the
scratch case of ``memory_stages.py``, after a warm-up on a 256 x 256 corner; ``copy`` makes
the layers work on a copy of the region, as before they filled it in place.
"""

import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import graphinpaint as gi  # noqa: E402
from cases import region_fill_module  # noqa: E402
from memory_stages import scratch_case  # noqa: E402

region = region_fill_module()        # where the working region's stages are patched


def main(side: int, mode: str) -> None:
    image, hole = scratch_case(side)
    gi.inpaint(image[:256, :256], hole[:256, :256])
    if mode == "copy":
        real = region._fill_layers
        region._fill_layers = lambda *args, in_place=False, **kwargs: real(
            *args, in_place=False, **kwargs)
    start, thread = time.perf_counter(), time.thread_time()
    gi.inpaint(image, hole)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{mode}: wall {time.perf_counter() - start:.2f} s, calling thread "
          f"{time.thread_time() - thread:.2f} s, peak {peak} MiB")


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
