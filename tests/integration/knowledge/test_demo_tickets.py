"""The demo ticket file (181 realistic tickets) through the real pipeline: recurring faults fold,
look-alikes stay apart, junk is skipped, and no customer data reaches any case."""

import json

import pytest

from knowledge.demo import DEMO_TICKETS
from knowledge.demo import load as load_demo_tickets
from knowledge.models import Case, Ticket

# Clusters written into the demo file: one underlying fault each, different words.
FOLDING_CLUSTERS = {
    "AC E6 loose cable": "GD202607160278 GD202608030345 GD202608060214 GD202608150445 "
    "GD202608200116 GD202608250205 GD202609110045",
    "WM E4 drain pump blocked": "GD202606050093 GD202607180183 GD202608130235 GD202609220113 "
    "GD202610310111 GD202611030331",
    "fridge F1 sensor": "GD202606060277 GD202606300277 GD202608030181 GD202609040309 "
    "GD202610070330",
    "gas heater E1 ignition": "GD202609250019 GD202610070269 GD202610230438 GD202610290256 "
    "GD202611100025 GD202611180250",
    "electric heater element": "GD202609200381 GD202610130386 GD202610240057 GD202611080282 "
    "GD202611070195",
    "VRF P1 dirty condenser": "GD202607110209 GD202607180001 GD202608070450 GD202608130328 "
    "GD202609070026",
}
BATCH = "GD202608030345 GD202608060214 GD202608150445 GD202608200116 GD202608250205"
LOOK_ALIKES = (
    "GD202606100433 GD202610200399 GD202609010003 GD202608160168 GD202606270450 "
    "GD202607130255 GD202606010380 GD202607050052 GD202607030007 GD202610140160"
)
JUNK = (
    "GD202607130308 GD202609080102 GD202610260456 GD202608030045 GD202608060468 "
    "GD202610300212 GD202606180081 GD202608190172 GD202610040254 GD202609170479 "
    "GD202610080045 GD202611050303 GD202606270178 GD202608180450 GD202610070325 "
    "GD202607190154 GD202607250087 GD202608020062 GD202609140236 GD202606060215 "
    "GD202606120403 GD202610200366 GD202610220179"
)


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        load_demo_tickets()
        yield
        Ticket.objects.all().delete()
        Case.objects.all().delete()


def cases_of(numbers: str) -> set:
    return set(Ticket.objects.filter(ticket_no__in=numbers.split()).values_list("case", flat=True))


@pytest.mark.parametrize("cluster", FOLDING_CLUSTERS)
def test_recurring_faults_in_other_words_fold_into_one_case(demo, db, cluster):
    numbers = FOLDING_CLUSTERS[cluster].split()
    (case_id,) = cases_of(FOLDING_CLUSTERS[cluster])
    case = Case.objects.get(pk=case_id)
    assert case.occurrences >= len(numbers)
    assert case.is_recurring


def test_five_e6_tickets_of_one_model_in_a_month_are_flagged_batch(demo, db):
    (case_id,) = cases_of(BATCH)
    assert Case.objects.get(pk=case_id).is_batch


def test_look_alike_faults_are_never_folded_into_another_case(demo, db):
    for number in LOOK_ALIKES.split():
        ticket = Ticket.objects.get(ticket_no=number)
        assert ticket.status == Ticket.Status.CASE_CREATED, number
        assert ticket.case.occurrences == 1, number


def test_junk_tickets_are_skipped_with_a_reason(demo, db):
    skipped = set(Ticket.objects.filter(status="skipped").values_list("ticket_no", flat=True))
    assert skipped <= set(JUNK.split())
    assert len(skipped) >= 20
    assert not Ticket.objects.filter(status="skipped", status_reason="").exists()


def test_no_customer_data_reaches_any_case(demo, db):
    secrets = set()
    for line in DEMO_TICKETS.read_text(encoding="utf-8").splitlines():
        ticket = json.loads(line)
        secrets.add(ticket["customer_name"])
        secrets.add("".join(ch for ch in ticket["customer_phone"] if ch.isdigit())[-8:])
    text = json.dumps(
        list(Case.objects.values("title", "symptom", "cause", "resolution", "parts")),
        ensure_ascii=False,
    )
    digits = "".join(ch for ch in text if ch.isdigit())
    leaks = [s for s in secrets if s and (s in text or (s.isdigit() and s in digits))]
    assert leaks == []
