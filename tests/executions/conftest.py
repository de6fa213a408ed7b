from tests.worker import celery_worker_process  # noqa: F401  (a live worker for the engine's tests)
