#!/usr/bin/python3
"""Jupyter-side checks for the test suite (run with Debian's /usr/bin/python3).

  nbclient_run.py execute NOTEBOOK OUT   run NOTEBOOK through nbclient with the tslab kernel
  nbclient_run.py validate FILE...       nbformat-validate notebooks written by cvae reproduce

Prints one JSON line with the result; exits 1 on failure.
"""
import json
import os
import sys
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def execute(path, out):
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="tslab", timeout=600,
                            resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}})
    t0 = time.time()
    try:
        client.execute()
        ok, error = True, None
    except CellExecutionError as e:
        ok, error = False, str(e)[-2000:]
    nbformat.write(nb, out)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    print(json.dumps(dict(ok=ok, error=error, seconds=round(time.time() - t0, 2),
                          code_cells=sum(c.cell_type == "code" for c in nb.cells),
                          output_types=[o["output_type"] for o in outputs],
                          mime_types=sorted({m for o in outputs for m in o.get("data", {})}),
                          figures=sum(1 for o in outputs if "cvae-lens/figure" in o.get("metadata", {})),
                          text="".join(o.get("text", "") for o in outputs if o["output_type"] == "stream"))))
    return 0 if ok else 1


def validate(paths):
    errors = {}
    for p in paths:
        try:
            nbformat.validate(nbformat.read(p, as_version=nbformat.NO_CONVERT))
        except Exception as e:  # noqa: BLE001 - report every kind of failure
            errors[p] = str(e)[:500]
    print(json.dumps(dict(ok=not errors, errors=errors, checked=len(paths))))
    return 0 if not errors else 1


if __name__ == "__main__":
    cmd = sys.argv[1]
    sys.exit(execute(sys.argv[2], sys.argv[3]) if cmd == "execute" else validate(sys.argv[2:]))
