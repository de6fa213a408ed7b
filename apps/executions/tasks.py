"""Celery tasks: thin adapters from a message to the engine. Every one is safe to run twice.

The engine's modules send these (`dispatch`), so they are imported here inside
each task, where the cycle is broken.
"""

from __future__ import annotations

from celery import shared_task


@shared_task(name="apps.executions.tasks.run_node_execution", acks_late=True, reject_on_worker_lost=True)
def run_node_execution(node_exec_id: str, run_id: str, node_id: str) -> None:
    from apps.executions.worker import process_node_execution

    process_node_execution(node_exec_id=node_exec_id, run_id=run_id, node_id=node_id)


@shared_task(name="apps.executions.tasks.start_subgraph", acks_late=True, reject_on_worker_lost=True)
def start_subgraph(node_exec_id: str) -> None:
    from apps.executions.subgraphs import subgraph_start

    subgraph_start(node_exec_id=node_exec_id)


@shared_task(name="apps.executions.tasks.resume_subgraph_node", acks_late=True, reject_on_worker_lost=True)
def resume_subgraph_node(node_exec_id: str) -> None:
    from apps.executions.subgraphs import subgraph_resume

    subgraph_resume(node_exec_id=node_exec_id)


@shared_task(name="apps.executions.tasks.sweep_executions", acks_late=True)
def sweep_executions() -> None:
    from apps.executions.sweep import execution_sweep

    execution_sweep()
