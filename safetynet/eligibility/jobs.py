"""Background jobs of eligibility (django-tasks; `safetynet db_worker` runs them)."""

from django_tasks import task


@task()
def scenario_run_task(scenario_id: int) -> None:
    from safetynet.eligibility.models import Scenario
    from safetynet.eligibility.services import scenario_run

    scenario = Scenario.objects.select_related("task_job").get(pk=scenario_id)
    scenario_run(scenario=scenario, actor=scenario.created_by)
