from portal.management.commands._import_base import ImportCommand


class Command(ImportCommand):
    help = (
        "Record certifications earned before the portal from a CSV/XLSX file into the ledger "
        "(columns: see README). Importing the same rows again records nothing new."
    )
    kind = "certifications"
