#!/usr/bin/env python3
"""refcounts.py - copy-on-read in Python: a child that only reads objects
copies the pages that hold them, because Python writes an object's reference
count every time the object is used.

The parent builds a list of M small objects (strings) and forks two
children, one after the other:
  py-read   iterates over the list and only reads each object;
  py-idle   does nothing with the list (the baseline: the child's own
            start-up and exit).
Each child prints its minor faults from the kernel's counter (getrusage),
so the difference is the pages its reads copied. With --freeze the parent
calls gc.freeze() before the forks: it keeps the garbage collector from
writing to the objects, not the reference counts (Instagram's fix was
both gc.freeze() and, in Python 3.12, immortal objects for a few of them).

Usage: refcounts.py [-m OBJECTS] [--freeze]      (see labs/copy-on-read.md)
"""
import argparse
import gc
import os
import resource
import sys


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def run_child(phase, objects, read):
    """Fork a child that reads the objects (or not) and reports its faults."""
    pid = os.fork()
    if pid == 0:
        before = minor_faults()
        if read:
            for item in objects:    # only a read, but each item's count is written
                pass
        minor = minor_faults() - before
        print(f"result: phase={phase} role=child pid={os.getpid()} minor={minor} major=0",
              flush=True)
        os._exit(0)
    os.waitpid(pid, 0)


def main():
    parser = argparse.ArgumentParser(
        description="A child that only reads Python objects copies their pages.")
    parser.add_argument("-m", "--objects", type=int, default=1_000_000,
                        help="objects in the list (default 1000000)")
    parser.add_argument("--freeze", action="store_true",
                        help="call gc.freeze() before the forks")
    args = parser.parse_args()
    if not 1 <= args.objects <= 100_000_000:
        parser.error("-m: between 1 and 100000000 objects")

    print("== the parent builds the objects ==")
    print("why: each string object holds its own reference count", flush=True)
    objects = [str(i) for i in range(args.objects)]
    size = sys.getsizeof(objects[-1])
    pages = args.objects * size // resource.getpagesize()
    print(f"objects: count={args.objects} size={size} pages={pages} freeze={int(args.freeze)}",
          flush=True)
    if args.freeze:
        gc.freeze()

    print("== a child reads every object ==")
    print("why: using an object writes its count: each page of objects is copied", flush=True)
    run_child("py-read", objects, True)
    print("== a child leaves the objects alone ==")
    print("why: the baseline: what a child costs without reading", flush=True)
    run_child("py-idle", objects, False)


if __name__ == "__main__":
    main()
