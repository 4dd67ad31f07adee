#!/usr/bin/env python3
"""Generates a seeded occupancy tree: USERS user directories holding FILES
files in total, in nested directories of about 25 entries, with sizes from
0 to 16 KiB (a few larger), some sparse files, hard links within a user and
symlinks. Same seed, same tree.
    usage: make_occupancy_tree.py ROOT [USERS] [FILES] [SEED]"""
import os
import random
import sys


def make_user(rng, root, user, files):
    base = os.path.join(root, "user%04d" % user)
    os.makedirs(base)
    dirs = [base]
    made = 0
    while made < files:
        parent = rng.choice(dirs[-8:] if rng.random() < 0.7 else dirs)
        d = os.path.join(parent, "d%d" % len(dirs))
        os.mkdir(d)
        dirs.append(d)
        for _ in range(min(rng.randint(10, 40), files - made)):
            path = os.path.join(d, "f%d" % made)
            made += 1
            r = rng.random()
            existing = sorted(os.listdir(d)) if r < 0.01 else []
            if existing:
                os.link(os.path.join(d, existing[0]), path,
                        follow_symlinks=False)
                continue
            if r < 0.02:
                os.symlink("../f%d" % rng.randint(0, made), path)
                continue
            with open(path, "wb") as f:
                if r < 0.03:
                    f.truncate(rng.randint(1, 64) << 20)  # sparse
                else:
                    f.write(b"x" * int(rng.expovariate(1 / 3000.0)))


def main():
    root = sys.argv[1]
    users = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    files = int(sys.argv[3]) if len(sys.argv) > 3 else 500000
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 42)
    os.makedirs(root, exist_ok=True)
    weights = [rng.paretovariate(1.5) for _ in range(users)]
    total = sum(weights)
    counts = [max(1, int(files * w / total)) for w in weights]
    counts[0] += files - sum(counts)
    for user, n in enumerate(counts):
        make_user(rng, root, user, max(1, n))


if __name__ == "__main__":
    main()
