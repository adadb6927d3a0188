"""Scale benchmarks of issue 11: a batch of images on Dask, and a gigapixel-style image in tiles.

    python benchmarks/scale.py batch [--count 200] [--side 512] [--rounds 4] [--json out.json]
    python benchmarks/scale.py large [--side 8192] [--tile 2048] [--check-side 4096] [--json ...]

``batch`` writes ``count`` crops of the seed's barbara with 5% random scratches, then restores
them three ways in the same run: one single-threaded process one image after another, one process
whose numba search uses both cores, and ``restore_many`` on a LocalCluster of two
single-threaded workers. The peers take turns on slices of the batch (``rounds`` each), so that
other users' load on a shared machine falls on all three alike; each restores one image
untimed first (numba's cache).

``large`` builds a ``side x side`` RGB mosaic of barbara crops with 5% scratches, restores it with
``inpaint_large`` on the same LocalCluster, reports the wall time and each worker's peak memory,
checks two tile interiors against restoring their regions alone with the full halo, and compares
the PSNR over the hole of a tiled and a whole-image run on a ``check-side`` crop.

The seed's images live in ../shared (not in the repo); nothing here is run by the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import shutil
import tempfile
import time
from pathlib import Path
from uuid import uuid4

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cases import SEED_DIR, scratch_mask  # noqa: E402

import graphinpaint as gi  # noqa: E402
from graphinpaint import io, metrics  # noqa: E402

# The seed's images: ../shared beside the repo, or where GRAPHINPAINT_SEED_DIR points.
SEED = Path(os.environ.get("GRAPHINPAINT_SEED_DIR", SEED_DIR))
THREADS = ("NUMBA_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def barbara() -> np.ndarray:
    return io.read_image(SEED / "barbara.jpg")


def _crop(source: np.ndarray, side: int, rng: np.random.Generator) -> np.ndarray:
    y = rng.integers(0, source.shape[0] - side + 1)
    x = rng.integers(0, source.shape[1] - side + 1)
    crop = source[y:y + side, x:x + side]
    return crop[:, ::-1] if rng.random() < 0.5 else crop


# --- batch ----------------------------------------------------------------------------------------

def make_batch(folder: Path, count: int, side: int, seed: int = 0) -> list[tuple[Path, Path]]:
    rng = np.random.default_rng(seed)
    source, pairs = barbara(), []
    for i in range(count + 1):                   # the last one is the peers' warm-up image
        image, mask = folder / f"b{i:04d}.png", folder / f"b{i:04d}_mask.png"
        io.write_image(image, _crop(source, side, rng))
        io.write_image(mask, np.where(scratch_mask((side, side), 0.05, rng), 255, 0)
                       .astype(np.uint8))
        pairs.append((image, mask))
    return pairs


def sequential() -> None:
    """Child process: for each line "LISTING<TAB>OUT_DIR" on stdin, restore the listed images one
    after another and print the timings as one JSON line."""
    for line in sys.stdin:
        listing, out_dir = line.rstrip("\n").split("\t")
        pairs = [row.split("\t") for row in Path(listing).read_text().splitlines()]
        start, cpu_start, times = time.perf_counter(), time.process_time(), []
        for image, mask in pairs:
            begin = time.perf_counter()
            restored = gi.inpaint(io.read_image(image), io.read_mask(mask))
            io.write_image(Path(out_dir) / Path(image).name, restored, overwrite=True)
            times.append(time.perf_counter() - begin)
        print(json.dumps(dict(wall=time.perf_counter() - start, times=times,
                              cpu=time.process_time() - cpu_start)), flush=True)


class _SequentialPeer:
    """A persistent process restoring images one after another with ``threads`` threads."""

    def __init__(self, threads: int) -> None:
        env = dict(os.environ, **{name: str(threads) for name in THREADS})
        self.process = subprocess.Popen([sys.executable, __file__, "sequential"], env=env,
                                        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def restore(self, pairs: list, out_dir: Path, root: Path) -> dict:
        listing = root / f"listing-{uuid4().hex}.tsv"
        listing.write_text("\n".join(f"{a}\t{b}" for a, b in pairs))
        self.process.stdin.write(f"{listing}\t{out_dir}\n")
        self.process.stdin.flush()
        return json.loads(self.process.stdout.readline())

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)


def _local_cluster(workers: int = 2):
    from distributed import Client

    from graphinpaint.batch import _start_local_cluster

    cluster = _start_local_cluster(workers)
    return cluster, Client(cluster)


def _warm_workers(client, pair) -> None:
    def warm(image, mask):
        import graphinpaint as gi
        from graphinpaint import io

        gi.inpaint(io.read_image(image), io.read_mask(mask))

    client.run(warm, str(pair[0]), str(pair[1]))


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of processes so far (their threads included)."""
    import psutil

    return sum(sum(psutil.Process(pid).cpu_times()[:2]) for pid in pids)


def bench_batch(count: int, side: int, rounds: int, two_thread_rounds: int) -> dict:
    """The peers take turns on slices of the batch (``rounds`` turns), so that other users'
    load on this shared machine falls on all of them alike.

    Wall times on a machine shared under CFS autogroups are no measure of parallel speedup:
    each user's session gets a fair share of the cores however many processes it runs. So CPU
    time is counted too: all the Dask run spent (scheduler, client and nannies in this process,
    the worker processes with all their threads), against the single-threaded process's CPU
    per image on the same images: the difference is Dask's own cost. (The tasks run numba on
    one thread; the worker process's CPU during each task is ``BatchRecord.cpu_seconds``.)
    On two free cores, two workers restore 2 / (Dask run's CPU per image) images a second, and
    one single-threaded process 1 / (its CPU per image). The process on both
    cores is timed on ``two_thread_rounds`` slices only (it crawls under contention: numba's
    two threads meet at a barrier per parallel loop).
    """
    from graphinpaint.batch import restore_many

    root = Path(tempfile.mkdtemp(prefix="gi-scale-"))
    inputs = root / "in"
    inputs.mkdir()
    pairs = make_batch(inputs, count, side)
    warm, pairs = pairs[-1], pairs[:-1]
    peers = {"one_process_1_thread": _SequentialPeer(1),
             "one_process_2_threads": _SequentialPeer(2)}
    start = time.perf_counter()
    cluster, client = _local_cluster()
    startup = time.perf_counter() - start
    _warm_workers(client, warm)
    workers = list(client.run(os.getpid).values())
    for name, peer in peers.items():
        (root / name).mkdir()
        peer.restore([warm], root / name, root)
    (root / "dask").mkdir()
    names = (*peers, "dask_2_workers")
    walls, cpus = dict.fromkeys(names, 0.0), dict.fromkeys(names, 0.0)
    counts, times = dict.fromkeys(names, 0), {name: [] for name in names}
    task_cpu = []
    for turn in range(rounds):
        chunk = pairs[turn::rounds]
        for name, peer in peers.items():
            if name == "one_process_2_threads" and turn >= two_thread_rounds:
                continue
            run = peer.restore(chunk, root / name, root)
            walls[name] += run["wall"]
            cpus[name] += run["cpu"]
            counts[name] += len(chunk)
            times[name] += run["times"]
        begin, cpu_begin = time.perf_counter(), _cpu_seconds([os.getpid(), *workers])
        records = restore_many(chunk, root / "dask", client=client)
        walls["dask_2_workers"] += time.perf_counter() - begin
        cpus["dask_2_workers"] += _cpu_seconds([os.getpid(), *workers]) - cpu_begin
        counts["dask_2_workers"] += len(chunk)
        times["dask_2_workers"] += [r.seconds for r in records]
        task_cpu += [r.cpu_seconds for r in records]
        assert all(r.status == "done" for r in records), records
        print(f"round {turn + 1}/{rounds}", {k: round(v, 1) for k, v in walls.items()},
              {k: round(v, 1) for k, v in cpus.items()}, flush=True)
    assert workers == list(client.run(os.getpid).values())      # no worker restarted
    client.close(), cluster.close()
    for peer in peers.values():
        peer.close()
    result = dict(count=count, side=side, rounds=rounds, cluster_startup=startup)
    for name in names:
        result[name] = dict(images=counts[name], wall=walls[name],
                            wall_per_second=counts[name] / walls[name],
                            mean_image_wall=float(np.mean(times[name])),
                            cpu_per_image=cpus[name] / counts[name])
    dask_run = result["dask_2_workers"]
    dask_run["task_cpu_per_image"] = float(np.mean(task_cpu))
    restore_cpu = result["one_process_1_thread"]["cpu_per_image"]
    dask_run["overhead_cpu_per_image"] = dask_run["cpu_per_image"] - restore_cpu
    dask_run["overhead_share"] = dask_run["overhead_cpu_per_image"] / restore_cpu
    single = 1 / result["one_process_1_thread"]["cpu_per_image"]
    two_free_cores = 2 / dask_run["cpu_per_image"]
    both_cores_at_best = 2 / result["one_process_2_threads"]["cpu_per_image"]
    result["on_two_free_cores"] = dict(
        one_process_1_thread=single, dask_2_workers=two_free_cores,
        one_process_2_threads_at_most=both_cores_at_best,
        ratio_vs_1_thread=two_free_cores / single,
        ratio_vs_2_threads_at_most=two_free_cores / both_cores_at_best)
    result["wall_ratio_vs_1_thread"] = (dask_run["wall_per_second"]
                                        / result["one_process_1_thread"]["wall_per_second"])
    result["dask_outputs_equal_sequential"] = all(
        np.array_equal(io.read_image(root / "dask" / p.name),
                       io.read_image(root / "one_process_1_thread" / p.name)) for p, _ in pairs)
    shutil.rmtree(root)
    return result


# --- large ----------------------------------------------------------------------------------------

def make_large(side: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """A mosaic of 512 x 512 barbara crops; 5% scratches drawn per 512 block, the mask shifted
    by 256 so that scratches cross block and tile borders."""
    rng = np.random.default_rng(seed)
    source, block = barbara(), 512
    image = np.empty((side, side, 3), np.uint8)
    hole = np.empty((side, side), bool)
    for y in range(0, side, block):
        for x in range(0, side, block):
            image[y:y + block, x:x + block] = _crop(source, block, rng)
            hole[y:y + block, x:x + block] = scratch_mask((block, block), 0.05, rng)
    return image, np.roll(hole, (block // 2, block // 2), axis=(0, 1))


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _whole_in_child(path: Path) -> dict:
    """inpaint on the saved image in a fresh process: its wall time and peak memory."""
    code = ("import sys, json, time, numpy as np, graphinpaint as gi, resource;"
            "d = np.load(sys.argv[1]); t = time.perf_counter();"
            "out = gi.inpaint(d['image'], d['hole']); w = time.perf_counter() - t;"
            "np.save(sys.argv[1] + '.out.npy', out);"
            "print(json.dumps(dict(wall=w, peak_mb=resource.getrusage("
            "resource.RUSAGE_SELF).ru_maxrss / 1024)))")
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def bench_large(side: int, tile: int, check_side: int) -> dict:
    from graphinpaint.large import _deepest_layer, halo_width, inpaint_large

    import dask.array as da

    image, hole = make_large(side)
    result = dict(side=side, tile=tile, hole_share=float(hole.mean()))
    cluster, client = _local_cluster()
    _warm_workers_large(client)
    start = time.perf_counter()
    restored = inpaint_large(image, hole, tile=tile, scheduler=client)
    result["wall"] = time.perf_counter() - start
    result["worker_peak_mb"] = sorted(client.run(_peak_rss_mb).values())
    print("large", result, flush=True)
    options = dict(window=31, window_growth=1.0, patch_size=7, rounds=1, strategy="layers")
    halo = halo_width(options, _deepest_layer(da.from_array(hole, chunks=tile), tile))
    result["halo"] = halo
    checks = []
    for y, x in ((tile, tile), (0, side - tile)):
        region = (slice(max(y - halo, 0), min(y + tile + halo, side)),
                  slice(max(x - halo, 0), min(x + tile + halo, side)))
        # On a worker, so that the thread settings (and so the sums' order) are the same.
        start = time.perf_counter()
        alone = client.submit(gi.inpaint, image[region], hole[region], strategy="layers",
                              pure=False).result()
        seconds = time.perf_counter() - start
        inner = (slice(y - region[0].start, y - region[0].start + tile),
                 slice(x - region[1].start, x - region[1].start + tile))
        core = restored[y:y + tile, x:x + tile]
        checks.append(dict(tile=(y, x), seconds=seconds,
                           max_abs_difference=int(np.abs(core.astype(int)
                                                         - alone[inner].astype(int)).max())))
    result["tile_checks"] = checks
    print("tile checks", checks, flush=True)
    if not check_side:
        client.close(), cluster.close()
        return result
    small, small_hole = image[:check_side, :check_side], hole[:check_side, :check_side]
    start = time.perf_counter()
    tiled = inpaint_large(small, small_hole, tile=tile, scheduler=client)
    tiled_wall = time.perf_counter() - start
    client.close(), cluster.close()
    saved = Path(tempfile.mkdtemp(prefix="gi-large-")) / "check.npz"
    np.savez(saved, image=small, hole=small_hole)
    whole_run = _whole_in_child(saved)
    whole = np.load(str(saved) + ".out.npy")
    difference = np.abs(tiled.astype(int) - whole.astype(int))[small_hole]
    result["check"] = dict(
        side=check_side, tiled_wall=tiled_wall, whole_wall=whole_run["wall"],
        whole_peak_mb=whole_run["peak_mb"],
        psnr_tiled=metrics.psnr(small, tiled, region=small_hole),
        psnr_whole=metrics.psnr(small, whole, region=small_hole),
        max_abs_difference=int(difference.max()),
        share_differing=float((difference > 0).mean()))
    print("check", result["check"], flush=True)
    return result


def _warm_workers_large(client) -> None:
    def warm():
        import numpy as np

        import graphinpaint as gi

        image = np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8)
        hole = np.zeros((64, 64), bool)
        hole[30:33, 5:60] = True
        gi.inpaint(image, hole)

    client.run(warm)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    batch = sub.add_parser("batch")
    batch.add_argument("--count", type=int, default=200)
    batch.add_argument("--side", type=int, default=512)
    batch.add_argument("--rounds", type=int, default=4)
    batch.add_argument("--two-thread-rounds", type=int, default=1)
    batch.add_argument("--json")
    large = sub.add_parser("large")
    large.add_argument("--side", type=int, default=8192)
    large.add_argument("--tile", type=int, default=2048)
    large.add_argument("--check-side", type=int, default=4096, help="0 to skip")
    large.add_argument("--json")
    sub.add_parser("sequential")
    args = parser.parse_args()
    if args.command == "sequential":
        sequential()
        return
    if args.command == "batch":
        result = bench_batch(args.count, args.side, args.rounds, args.two_thread_rounds)
    else:
        result = bench_large(args.side, args.tile, args.check_side)
    text = json.dumps(result, indent=1)
    print(text)
    if args.json:
        Path(args.json).write_text(text)


if __name__ == "__main__":
    main()
