import cProfile, pstats, time, sys
from bench.harness import setup_django
setup_django()
from bench.engine import _user, _chain
from apps.executions.services import execution_start
from apps.executions.processing import process_chain
from apps.executions.models import NodeExecution, GraphExecution
from unittest import mock
user = _user(); graph = _chain(user)
def one():
    with mock.patch("apps.executions.services.send_node_executions"):
        run = execution_start(user=user, graph=graph, inputs={})
    first = NodeExecution.objects.get(graph_execution=run)
    t=time.perf_counter()
    process_chain(node_exec_id=str(first.pk), run_id=str(run.pk), node_id=str(first.node_id))
    el=time.perf_counter()-t
    print("status", GraphExecution.objects.get(pk=run.pk).status, "per node ms", round(el*10,2))
one(); one(); one()
if len(sys.argv) > 1:
    pr=cProfile.Profile(); pr.enable(); one(); pr.disable()
    st = pstats.Stats(pr); st.sort_stats(sys.argv[1]).print_stats(int(sys.argv[2]))
