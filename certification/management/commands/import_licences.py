from django.contrib.auth.models import User
from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from portal.management.commands._import_base import ImportCommand


class Command(ImportCommand):
    help = (
        "Import or update outside licences from a CSV/XLSX file (columns: see README). Rows "
        "marked verified are verified by --verified-by, or by the system when it is not given."
    )
    kind = "licences"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--verified-by",
            metavar="EMPLOYEE_NO",
            help="Employee number (or username) of the manager who vouches for verified rows.",
        )

    def get_form_kwargs(self, *, verified_by=None, **options) -> dict:
        if not verified_by:
            return {"actor": None}
        actor = (
            User.objects.filter(staff_profile__employee_no=verified_by).first()
            or User.objects.filter(username=verified_by).first()
        )
        if actor is None:
            raise CommandError(
                _("No staff member has the employee number %(employee_no)s.")
                % {"employee_no": verified_by}
            )
        return {"actor": actor}
