"""Demo data of the app (called by `python manage.py seed_demo`)."""


def seed(grappe, people):
    return None
