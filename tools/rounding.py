"""Compare every notebook's outputs under several BLAS kernels and thread counts.

    python tools/rounding.py [pytest arguments, e.g. notebooks]

A matrix product rounds differently on each CPU: OpenBLAS picks a kernel for the processor
(Haswell, SkylakeX, Zen, ...), and each kernel sums in its own order, with or without fused
multiply-adds. A stored output that hangs on the last bits passes on one machine and fails
on the next. So this runs `pytest --nbval` once for each kernel this CPU can execute and each
thread count, with OPENBLAS_CORETYPE and OPENBLAS_NUM_THREADS set for that run alone.

Before each kernel it asks OpenBLAS (through threadpoolctl) which kernel it really loaded.
A kernel the CPU cannot run falls back to another (SkylakeX without AVX-512), and some share
their code (OpenBLAS runs Zen with its Haswell kernel): a kernel already compared is reported
and skipped. On a CPU that is not x86-64 it compares the machine's own kernel only.
"""

import os
import platform
import subprocess
import sys
import time

# OpenBLAS core types to try on x86-64: FMA kernels (Haswell, Zen, SkylakeX with AVX-512) and
# kernels without FMA (Sandybridge: AVX; Prescott: SSE3). None is the machine's own choice.
X86_KERNELS = [None, "Haswell", "Zen", "SkylakeX", "Sandybridge", "Prescott"]
THREADS = [1, 2]
PROBE = ("import numpy; from threadpoolctl import threadpool_info; "
         "print(*sorted({i.get('architecture') or '?' for i in threadpool_info() "
         "if i['internal_api'] == 'openblas'}) or ['none'])")


def environment(kernel, threads):
    """os.environ with this run's BLAS settings (an unset kernel: the machine's own)."""
    env = dict(os.environ)
    for name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(name, None)
    if kernel:
        env["OPENBLAS_CORETYPE"] = kernel
    env["OPENBLAS_NUM_THREADS"] = str(threads)
    return env


def loaded_kernel(kernel):
    """The kernel OpenBLAS really runs when asked for `kernel`, e.g. 'Haswell'."""
    result = subprocess.run([sys.executable, "-c", PROBE], env=environment(kernel, 1),
                            capture_output=True, text=True)
    if result.returncode != 0:
        return None
    return result.stdout.strip()


def main(pytest_args):
    kernels = X86_KERNELS if platform.machine() in ("x86_64", "AMD64") else [None]
    runs, seen = [], {}
    for kernel in kernels:
        name = kernel or "the machine's own"
        loaded = loaded_kernel(kernel)
        if loaded is None:
            print(f"rounding: {name} kernel: NumPy would not start with it; skipped", flush=True)
        elif loaded in seen:
            print(f"rounding: {name} kernel: OpenBLAS runs {loaded}, as for {seen[loaded]}, "
                  "which is compared already; skipped", flush=True)
        else:
            print(f"rounding: {name} kernel: OpenBLAS runs {loaded}", flush=True)
            seen[loaded] = name
            runs += [(kernel, loaded, threads) for threads in THREADS]
    failed = []
    for kernel, loaded, threads in runs:
        label = f"OpenBLAS {loaded} kernel, {threads} thread{'s' if threads > 1 else ''}"
        print(f"\nrounding: {label}", flush=True)
        start = time.perf_counter()
        code = subprocess.run([sys.executable, "-m", "pytest", *pytest_args],
                              env=environment(kernel, threads)).returncode
        print(f"rounding: {label}: {'passed' if code == 0 else 'FAILED'} "
              f"in {time.perf_counter() - start:.0f} s", flush=True)
        if code != 0:
            failed.append(label)
    print(f"\nrounding: {len(runs) - len(failed)} of {len(runs)} configurations passed"
          + (f"; failed: {'; '.join(failed)}" if failed else ""))
    return 1 if failed or not runs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
