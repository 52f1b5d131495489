"""A real worker process for the queue's tests: the app from the environment, plus the test jobs.

`python -m tests.tasks.worker_main` runs exactly what `flask heritage worker` runs.
"""

import tests.tasks.sample_jobs  # noqa: F401 - registers the test job functions
from heritage import create_app
from heritage.tasks.queue import run_worker

if __name__ == "__main__":
    run_worker(create_app(), workers=1)
