from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    """Ticket intake, redaction, case summaries, duplicate folding and the case knowledge base."""

    name = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self):
        from django.db.models.signals import post_delete, post_save, pre_save
        from wagtail.signals import workflow_approved

        from portal.permissions import POST_SYNC_HOOKS, register_role_permissions
        from portal.roles import Role

        from .indexing import case_before_save, case_deleted, case_saved
        from .models import Case, CaseOccurrence, SynonymGroup
        from .receivers import (
            recount_case_on_occurrence_delete,
            validate_case_on_workflow_approval,
        )
        from .setup import case_review_workflow_ensure
        from .synonyms import synonyms_changed

        pre_save.connect(case_before_save, sender=Case, dispatch_uid="case-index-pre")
        post_save.connect(case_saved, sender=Case, dispatch_uid="case-index-save")
        post_delete.connect(case_deleted, sender=Case, dispatch_uid="case-index-delete")
        post_delete.connect(
            recount_case_on_occurrence_delete,
            sender=CaseOccurrence,
            dispatch_uid="case-recount-on-occurrence-delete",
        )
        workflow_approved.connect(
            validate_case_on_workflow_approval, dispatch_uid="knowledge.case-approved"
        )
        if case_review_workflow_ensure not in POST_SYNC_HOOKS:
            POST_SYNC_HOOKS.append(case_review_workflow_ensure)

        post_save.connect(synonyms_changed, sender=SynonymGroup, dispatch_uid="synonyms-save")
        post_delete.connect(synonyms_changed, sender=SynonymGroup, dispatch_uid="synonyms-del")

        from .models import SearchWord
        from .vocabulary import vocabulary_changed

        for sender in (SearchWord, SynonymGroup):
            for signal in (post_save, post_delete):
                uid = f"vocabulary-{sender.__name__}"
                signal.connect(vocabulary_changed, sender=sender, dispatch_uid=uid)

        # Trainers are the quality staff (技质部): they curate cases and read raw tickets.
        register_role_permissions(
            Role.TRAINER,
            [
                "knowledge.change_case",
                "knowledge.publish_case",
                "knowledge.lock_case",
                "knowledge.view_ticket",
                "knowledge.change_caseflag",
                "knowledge.add_synonymgroup",
                "knowledge.change_synonymgroup",
                "knowledge.delete_synonymgroup",
                "knowledge.add_searchword",
                "knowledge.change_searchword",
                "knowledge.delete_searchword",
                "knowledge.view_searchquerylog",
            ],
        )
        register_role_permissions(Role.MANAGER, ["knowledge.view_ticket"])
