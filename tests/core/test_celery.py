import pytest

from core.tasks import ping


@pytest.mark.services
def test_task_round_trips_through_a_real_worker_on_redis(celery_worker_process):
    result = ping.apply_async(args=["bonjour"], queue=celery_worker_process.queue)
    assert result.get(timeout=60) == "pong: bonjour"


def test_tasks_run_eagerly_without_redis(settings):
    assert ping.delay("local").get(timeout=5) == "pong: local"
