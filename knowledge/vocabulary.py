"""Run-time search vocabulary (``SEARCH_VOCABULARY`` setting, read by portal.search.analysis):
the words trainers add in the admin, and the words of active synonym groups, so that a
synonym such as 不凉 is one query term that can be expanded.

Every process checks ``version()`` every few seconds and re-reads ``words()`` when it moved, so
no shared cache is needed. A new word takes effect at once for queries (documents indexed
before it match through its pieces); documents hold it as one term after they are re-indexed
(``manage.py update_index``, or any save of the case)."""

from django.db.models import Count, Max


def version() -> tuple:
    from .models import SearchWord, SynonymGroup

    return tuple(
        tuple(model.objects.aggregate(n=Count("pk"), t=Max("updated_at")).values())
        for model in (SearchWord, SynonymGroup)
    )


def words() -> list[str]:
    from .models import SearchWord, SynonymGroup

    found = list(SearchWord.objects.filter(active=True).values_list("word", flat=True))
    for group in SynonymGroup.objects.filter(active=True):
        found.extend(group.words)
    return found


def vocabulary_changed(**kwargs) -> None:
    from portal.search.analysis import vocabulary_changed as reload_here

    reload_here()
