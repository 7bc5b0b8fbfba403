"""Judging copies: how long anonymising takes next to the plain work it cannot avoid.

    python bench/competitions_anonymise.py [--megabytes 1024] [--rounds 3]

Video: a generated MP4 of the given size (random, incompressible mdat, a
udta box to blank) is anonymised, against two baselines in the same
directory: shutil.copyfile (the kernel copies) and a plain 1 MB read/write
loop in Python (what any streaming rewrite does). Photo: a
12-megapixel JPEG with EXIF/GPS/XMP is anonymised, against a baseline of
Pillow decoding and encoding it at the same quality (the re-encode a clean
copy needs anyway). Rounds alternate which side runs first, each run starts
after os.sync(); medians shown,
with the Python heap's peak (tracemalloc) during one anonymise run; decoded
pixels live outside that heap, in Pillow's own buffers.
"""

from __future__ import annotations

import argparse
import io
import os
import platform as host
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

from bangyaer_competitions.anonymise import anonymise_file, samples
from PIL import Image

CHUNK = 1024 * 1024


def make_video(path: Path, megabytes: int) -> None:
    header, _ = samples.mp4_frame(megabytes * CHUNK)
    with open(path, "wb") as f:
        f.write(header)
        left = megabytes * CHUNK - len(header)
        block = os.urandom(CHUNK)
        while left > 0:
            left -= f.write(block[:left])


def make_photo(path: Path) -> None:
    # Noise over the sample picture: as much detail as a phone photo, about 5 MB.
    size = (4000, 3000)
    noise = Image.effect_noise(size, 60).convert("RGB")
    picture = Image.blend(samples.picture(size), noise, 0.4)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=90, exif=samples.exif_block(orientation=6),
                 xmp=samples.xmp_packet())
    path.write_bytes(out.getvalue())


def timed(run: Callable[[], object], outputs: Path) -> tuple[float, float]:
    """Wall and CPU seconds of one run, writing new files as the judging job does."""
    # Earlier outputs are removed and written back first, untimed, so that
    # neither side pays for freeing or flushing the other's pages.
    for old in outputs.glob("out-*"):
        old.unlink()
    os.sync()
    start, cpu = time.perf_counter(), time.process_time()
    run()
    return time.perf_counter() - start, time.process_time() - cpu


def peak(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def chunked_copy(src: Path, dst: Path) -> None:
    with open(src, "rb") as f, open(dst, "wb") as out:
        while chunk := f.read(CHUNK):
            out.write(chunk)


def reencode(src: Path, dst: Path) -> None:
    with Image.open(src) as img:
        out = io.BytesIO()
        img.convert("RGB").save(out, "JPEG", quality=92, optimize=True)
    dst.write_bytes(out.getvalue())


Row = tuple[str, tuple[float, float], tuple[float, float], int]


def measure(name: str, baseline: Callable[[], object], subject: Callable[[], object],
            rounds: int, outputs: Path) -> Row:
    base: list[tuple[float, float]] = []
    ours: list[tuple[float, float]] = []
    for i in range(rounds):
        # Alternate which side goes first, so the page cache favours neither.
        if i % 2:
            ours.append(timed(subject, outputs))
            base.append(timed(baseline, outputs))
        else:
            base.append(timed(baseline, outputs))
            ours.append(timed(subject, outputs))
    for old in outputs.glob("out-*"):
        old.unlink()
    return name, _medians(base), _medians(ours), peak(subject)


def _medians(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--megabytes", type=int, default=1024)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        make_video(d / "v.mp4", args.megabytes)
        make_photo(d / "p.jpg")
        rows = [
            measure(f"MP4, {args.megabytes} MB",
                    lambda: shutil.copyfile(d / "v.mp4", d / "out-base.mp4"),
                    lambda: anonymise_file(d / "v.mp4", d / "out-copy.mp4", "video/mp4"),
                    args.rounds, d),
            measure(f"MP4, {args.megabytes} MB",
                    lambda: chunked_copy(d / "v.mp4", d / "out-base.mp4"),
                    lambda: anonymise_file(d / "v.mp4", d / "out-copy.mp4", "video/mp4"),
                    args.rounds, d),
            measure("JPEG, 4000×3000, orientation 6",
                    lambda: reencode(d / "p.jpg", d / "out-base.jpg"),
                    lambda: anonymise_file(d / "p.jpg", d / "out-copy.jpg", "image/jpeg"),
                    args.rounds, d),
        ]
    print("| file | baseline | baseline wall s | baseline CPU s | anonymise wall s "
          "| anonymise CPU s | wall ratio | heap peak MB |")
    print("|---|---|---|---|---|---|---|---|")
    names = ("shutil.copyfile (in-kernel)", "1 MB read/write loop in Python",
             "Pillow decode + encode q92")
    for (name, base, ours, top), what in zip(rows, names, strict=True):
        print(f"| {name} | {what} | {base[0]:.2f} | {base[1]:.2f} | {ours[0]:.2f} | "
              f"{ours[1]:.2f} | {ours[0] / base[0]:.2f} | {top / CHUNK:.1f} |")
    print(f"\nMeasured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} CPUs "
          f"({host.processor() or host.machine()}), Python {sys.version.split()[0]}, "
          f"{host.system()} {host.release()}; medians of {args.rounds} alternating rounds; "
          f"load average {os.getloadavg()[0]:.1f} at the end.")


if __name__ == "__main__":
    main()
