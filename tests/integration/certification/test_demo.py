from certification import demo as certification_demo
from certification.eligibility import eligibility_check
from certification.models import Certification, CertificationEvent, Licence
from portal import demo as portal_demo


def _codes(employee_no, skill):
    return [r.code for r in eligibility_check(employee_no=employee_no, skill_code=skill).reasons]


def test_demo_certification_data_loads_twice_without_duplicates(db):
    portal_demo.load()
    certification_demo.load()
    counts = (Certification.objects.count(), CertificationEvent.objects.count())
    certification_demo.load()
    assert (Certification.objects.count(), CertificationEvent.objects.count()) == counts
    assert Licence.objects.count() == len(certification_demo.LICENCES)
    assert _codes("J3001", "AC-SPLIT-INSTALL") == []
    assert _codes("J3002", "AC-SPLIT-INSTALL") == ["LICENCE_EXPIRED"]
    assert _codes("J3003", "AC-SPLIT-INSTALL") == ["LICENCE_REVIEW_OVERDUE"]
    assert _codes("J3006", "AC-INVERTER-DIAG") == [
        "CERT_SUSPENDED",
        "LICENCE_UNVERIFIED",
    ]
    assert _codes("J3008", "AC-INVERTER-DIAG") == ["CERT_EXPIRED"]
