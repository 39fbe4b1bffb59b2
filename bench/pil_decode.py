#!/usr/bin/python3
"""PIL's decode throughput (images/s) on the files bench_decode writes, as torchvision's
ImageFolder loads them: Image.open(...).convert("RGB"), and for size 224 torchvision's
Resize(224) (PIL's bilinear, antialiased) then CenterCrop(224), written out here as
torchvision 0.15 computes them, to uint8 arrays (N, 3, H, W) as sslflow caches them.
Processes 1, 2, ... up to the machine's cores (a multiprocessing pool, as a DataLoader's
workers). Needs python3-pil and python3-numpy.

    /usr/bin/python3 bench/pil_decode.py WORK_DIR      prints one JSON line per case
"""

import glob
import json
import os
import sys
import time
from multiprocessing import Pool

import numpy as np
from PIL import Image


def load(args):
    path, size = args
    image = Image.open(path).convert("RGB")
    if size:
        w, h = image.size
        short, long = (w, h) if w <= h else (h, w)
        new_long = int(size * long / short)
        image = image.resize((size, new_long) if w <= h else (new_long, size), Image.BILINEAR)
        w, h = image.size
        top, left = int(round((h - size) / 2.0)), int(round((w - size) / 2.0))
        image = image.crop((left, top, left + size, top + size))
    return np.asarray(image).transpose(2, 0, 1).copy()


def main():
    work = sys.argv[1]
    cores = os.cpu_count() or 1
    for codec in ("jpg", "png"):
        files = sorted(glob.glob(os.path.join(work, codec, "all", "*." + codec)))
        for size in (0, 224):
            processes = 1
            while processes <= cores:
                jobs = [(f, size) for f in files]
                start = time.perf_counter()
                if processes == 1:
                    images = [load(j) for j in jobs]
                else:
                    with Pool(processes) as pool:
                        images = pool.map(load, jobs, chunksize=8)
                seconds = time.perf_counter() - start
                print(json.dumps({"codec": codec, "size": size, "threads": processes, "images": len(images),
                                  "images_per_s": round(len(images) / seconds, 1)}), flush=True)
                processes *= 2


if __name__ == "__main__":
    main()
