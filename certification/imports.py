"""Adoption imports: the skills catalogue, certifications earned before the portal and outside
licences, from CSV/XLSX. They run through the portal's one import pipeline
(``portal.imports``: preview → apply, every bad row reported, ``strict`` all-or-nothing), its
admin upload and its command shape; this module only declares their columns, keys and rules.
Registered in ``CertificationConfig.ready()``."""

from django.utils.translation import gettext_lazy as _

from portal.imports import ImportSpec
from portal.models import ImportBatch
from portal.selectors import staff_in_scope

from .models import Certification, Licence, Skill
from .records import (
    CertificationRecordForm,
    LicenceRecordForm,
    SkillRecordForm,
    date_key,
)
from .services import (
    certification_import,
    certification_imported_find,
    licence_upsert,
    skill_upsert,
)


def _certification_key(record: dict) -> str:
    return " ".join(
        str(part or "")
        for part in (
            record.get("employee_no"),
            record.get("skill"),
            f"L{record.get('level') or ''}",
            date_key(record.get("issued_on")),
        )
    )


def _certification_predict(data: dict) -> str:
    existing = certification_imported_find(
        user=data["staff"].user,
        skill=data["skill"],
        level=data["level"],
        issued_on=data["issued_on"],
    )
    return "unchanged" if existing else "create"


def _licence_key(record: dict) -> str:
    return " ".join(
        str(record.get(part) or "") for part in ("employee_no", "licence_type", "number")
    )


def _licence_predict(data: dict) -> str:
    exists = Licence.objects.filter(
        licence_type=data["licence_type"], number=data["number"]
    ).exists()
    return "update" if exists else "create"


SKILL_SPEC = ImportSpec(
    kind=ImportBatch.Kind.SKILLS,
    key="code",
    columns=("code", "name", "product_line", "max_level", "required_licences"),
    required=("code", "name", "product_line"),
    aliases={
        "技能编码": "code",
        "编码": "code",
        "技能名称": "name",
        "名称": "name",
        "产品线": "product_line",
        "品类": "product_line",
        "最高等级": "max_level",
        "所需证件": "required_licences",
        "所需操作证": "required_licences",
    },
    form_class=SkillRecordForm,
    upsert=skill_upsert,
    model=Skill,
    permission="certification.add_skill",
    help_text=_(
        "Rows are matched by skill code: importing the same file again updates, never "
        "duplicates. required_licences lists licence type codes separated by commas "
        "(refrigeration, height, electrician, brazing, gas). You will see a preview first."
    ),
)

CERTIFICATION_SPEC = ImportSpec(
    kind=ImportBatch.Kind.CERTIFICATIONS,
    key="employee_no",
    columns=("employee_no", "skill", "level", "issued_on", "expires_on", "note"),
    required=("employee_no", "skill", "level", "issued_on"),
    aliases={
        "工号": "employee_no",
        "技能": "skill",
        "技能编码": "skill",
        "等级": "level",
        "发证日期": "issued_on",
        "颁发日期": "issued_on",
        "有效期至": "expires_on",
        "到期日期": "expires_on",
        "备注": "note",
    },
    form_class=CertificationRecordForm,
    upsert=certification_import,
    model=Certification,
    permission="certification.add_certification",
    key_of=_certification_key,
    predict=_certification_predict,
    form_kwargs_for=lambda user: {"allowed_staff": staff_in_scope(user=user)},
    help_text=_(
        "Each row is a certification earned before the portal, recorded in the ledger as "
        "imported evidence: active, or expired when its date has passed. A row is matched by "
        "employee number, skill, level and issue date: importing it again records nothing new. "
        "You will see a preview first."
    ),
)

LICENCE_SPEC = ImportSpec(
    kind=ImportBatch.Kind.LICENCES,
    key="employee_no",
    columns=(
        "employee_no",
        "licence_type",
        "number",
        "authority",
        "issued_on",
        "expires_on",
        "next_review_on",
        "verified",
    ),
    required=("employee_no", "licence_type", "number", "issued_on", "expires_on"),
    aliases={
        "工号": "employee_no",
        "证件类型": "licence_type",
        "作业类别": "licence_type",
        "证号": "number",
        "证件编号": "number",
        "发证机关": "authority",
        "发证日期": "issued_on",
        "初领日期": "issued_on",
        "有效期至": "expires_on",
        "到期日期": "expires_on",
        "复审日期": "next_review_on",
        "下次复审": "next_review_on",
        "已核验": "verified",
        "核验": "verified",
    },
    form_class=LicenceRecordForm,
    upsert=licence_upsert,
    model=Licence,
    permission="certification.add_licence",
    key_of=_licence_key,
    predict=_licence_predict,
    form_kwargs_for=lambda user: {"allowed_staff": staff_in_scope(user=user), "actor": user},
    help_text=_(
        "Rows are matched by employee number, licence type and licence number: importing the "
        "same file again updates, never duplicates. Rows with verified = true are verified in "
        "your name. You will see a preview first."
    ),
)

IMPORT_SPECS = (SKILL_SPEC, CERTIFICATION_SPEC, LICENCE_SPEC)
