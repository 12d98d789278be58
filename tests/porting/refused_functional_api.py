"""The functional API: an @entrypoint workflow calling @task functions (not implemented by nbstream)."""

from langgraph.func import entrypoint, task


@task
def double(x: int) -> int:
    return 2 * x


@entrypoint()
def workflow(numbers: list[int]) -> list[int]:
    futures = [double(n) for n in numbers]
    return [f.result() for f in futures]


print(workflow.invoke([1, 2, 3]))
