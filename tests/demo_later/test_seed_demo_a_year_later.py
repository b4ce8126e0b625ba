"""The demo runs on the real date: a year after the day the tests pin (DEMO_TODAY), seed_demo
still tells a consistent story (issue 16). Outside tests/demo: the check seeds an empty database
at that date, and every test of tests/demo runs on the demo already seeded (its package-scoped
`demo_seeded`)."""

import pytest
import time_machine
from django.core.management import call_command

from tests.demo.conftest import DEMO_TODAY
from tests.demo.test_seed_demo_stages import check_all

pytestmark = pytest.mark.django_db

NEXT_YEAR = DEMO_TODAY.replace("2026-", "2027-", 1)


def test_the_story_holds_a_year_later():
    with time_machine.travel(NEXT_YEAR, tick=False):
        call_command("seed_demo", verbosity=0)
        check_all()
