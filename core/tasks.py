from celery import shared_task


@shared_task(soft_time_limit=10, time_limit=20)
def ping(message):
    """Round-trip probe: used by the integration test and by the health check of the broker."""
    return f"pong: {message}"
