"""Baseline for `npm run bench -- queue`: Celery 5 with a Redis broker on no-op tasks.

Usage: /usr/bin/python3 celery_baseline.py REDIS_PORT TASKS
Starts a worker (2 processes, one per core), sends TASKS no-op tasks, and prints one JSON line
with tasks/s from the first send until the worker has run them all (counted in Redis), and the
same split in two phases: while tasks are being sent, and the worker alone after.
"""
import json
import os
import subprocess
import sys
import time

import redis

port, tasks = int(sys.argv[1]), int(sys.argv[2])
broker = f"redis://127.0.0.1:{port}/0"
here = os.path.dirname(os.path.abspath(__file__))
app_module = os.path.join(here, "celery_noop_app.py")
with open(app_module, "w") as f:
    f.write(
        "import os, redis\n"
        "from celery import Celery\n"
        f"app = Celery('noop', broker='{broker}')\n"
        "app.conf.worker_prefetch_multiplier = 4\n"
        "app.conf.task_acks_late = True\n"
        f"r = redis.Redis(port={port})\n"
        "@app.task(name='noop')\n"
        "def noop(i):\n"
        "    r.incr('done')\n"
    )

r = redis.Redis(port=port)
r.flushall()
worker = subprocess.Popen(
    [sys.executable, "-m", "celery", "-A", "celery_noop_app", "worker", "--concurrency=2", "--loglevel=WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"],
    cwd=here,
    stdout=subprocess.DEVNULL,
    stderr=subprocess.DEVNULL,
)
sys.path.insert(0, here)
from celery_noop_app import noop  # noqa: E402

# Warm up: wait until the worker consumes a task.
noop.delay(-1)
deadline = time.time() + 60
while int(r.get("done") or 0) < 1 and time.time() < deadline:
    time.sleep(0.05)
r.set("done", 0)

start = time.perf_counter()
for i in range(tasks):
    noop.delay(i)
sent_seconds = time.perf_counter() - start
done_when_sent = int(r.get("done") or 0)
while int(r.get("done") or 0) < tasks:
    time.sleep(0.01)
seconds = time.perf_counter() - start
worker.terminate()
worker.wait(timeout=30)
os.remove(app_module)
print(
    json.dumps(
        {
            "tasks": tasks,
            "seconds": seconds,
            "tasksPerSecond": tasks / seconds,
            # The two phases: while the producer sends (the worker shares the machine with it),
            # and after, the worker alone draining the rest.
            "sentSeconds": sent_seconds,
            "doneWhenSent": done_when_sent,
            "drainTasksPerSecond": (tasks - done_when_sent) / max(seconds - sent_seconds, 1e-9),
        }
    )
)
