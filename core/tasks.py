from celery import shared_task


@shared_task
def ping(message):
    """Round-trip probe: used by the integration test and by the health check of the broker."""
    return f"pong: {message}"
