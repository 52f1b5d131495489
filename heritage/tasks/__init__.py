"""Background jobs: `enqueue(name, **args)` -> job id; `job_status(id)` -> its row (status, progress).

Tiling, transcoding and batches run in `flask heritage worker`, never in a request. A job function
is a plain function registered with `@job_function(name)`; see `jobs.py` for the contract.
"""

from heritage.tasks.jobs import Progress, enqueue, job_function, job_status, retry, run_job
from heritage.tasks.models import Job, JobStatus

__all__ = ["Job", "JobStatus", "Progress", "enqueue", "job_function", "job_status", "retry", "run_job"]
