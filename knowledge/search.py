"""Knowledge-base search for technicians: the one place that turns a query and filters into
ranked, highlighted, faceted results, used by the search page and the search API."""

import html
import re
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.db.models import Count
from wagtail.search.backends import get_search_backend

from portal.models import ProductLine
from portal.search.analysis import query_terms

from .models import Case, SearchQueryLog
from .selectors import case_source_ticket_numbers, cases_visible
from .synonyms import expand

MAX_QUERY = 100
SNIPPET_CHARS = 120
# Validated cases move ahead of unvalidated ones whose score is within this factor.
VALIDATED_BOOST = 1.15
# How many of the best hits the validated boost may reorder.
RERANK_WINDOW = 100


@dataclass
class SearchHit:
    case: Case
    score: float
    snippet: str  # HTML: escaped text with <mark> around matched words


@dataclass
class SearchOutcome:
    query: str
    hits: list[SearchHit]
    count: int
    page: int
    pages: int
    facets: dict = field(default_factory=dict)
    log_id: int | None = None
    truncated: bool = False


def clean_query(raw: str) -> tuple[str, bool]:
    """Whitespace folded, control characters dropped, cut to MAX_QUERY characters."""
    text = re.sub(r"[\x00-\x1f\x7f]", " ", raw or "")
    text = re.sub(r"\s+", " ", text).strip()
    return text[:MAX_QUERY], len(text) > MAX_QUERY


def highlight(text: str, terms: list[str]) -> str:
    """A short escaped excerpt around the first matched word, matches wrapped in <mark>."""
    text = text or ""
    lowered = text.lower()
    positions = [lowered.find(t.lower()) for t in terms if t and lowered.find(t.lower()) >= 0]
    start = max(0, min(positions) - 30) if positions else 0
    excerpt = text[start : start + SNIPPET_CHARS]
    escaped = html.escape(excerpt)
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        escaped = re.sub(
            re.escape(html.escape(term)),
            lambda m: f"<mark>{m.group(0)}</mark>",
            escaped,
            flags=re.IGNORECASE,
        )
    return ("…" if start else "") + escaped + ("…" if start + SNIPPET_CHARS < len(text) else "")


def _filtered(product_line: str = "", error_code: str = "", status: str = ""):
    cases = cases_visible().select_related("product_line")
    if product_line:
        line = ProductLine.objects.filter(code=product_line).first()
        cases = cases.filter(product_line=line) if line else cases.none()
    if error_code:
        cases = cases.filter(error_code=error_code.upper())
    if status in (Case.KcsStatus.VALIDATED, Case.KcsStatus.NOT_VALIDATED):
        cases = cases.filter(kcs_status=status)
    return cases


def _facets(cases) -> dict:
    return {
        "product_line": list(
            cases.values("product_line__code", "product_line__name")
            .annotate(count=Count("pk"))
            .order_by("-count")
        ),
        "error_code": list(
            cases.exclude(error_code="")
            .values("error_code")
            .annotate(count=Count("pk"))
            .order_by("-count")[:15]
        ),
        "status": list(cases.values("kcs_status").annotate(count=Count("pk")).order_by("-count")),
    }


def _search_facets(results) -> dict:
    """The same facets as :func:`_facets`, counted by the search backend over every hit (the
    modelsearch facet API, which Elasticsearch answers natively)."""
    line_counts = results.facet("product_line_id")
    lines = {line.pk: line for line in ProductLine.objects.filter(pk__in=list(line_counts))}
    return {
        "product_line": [
            {
                "product_line__code": lines[pk].code if pk in lines else None,
                "product_line__name": lines[pk].name if pk in lines else None,
                "count": count,
            }
            for pk, count in line_counts.items()
        ],
        "error_code": [
            {"error_code": code, "count": count}
            for code, count in results.facet("error_code").items()
            if code
        ][:15],
        "status": [
            {"kcs_status": status, "count": count}
            for status, count in results.facet("kcs_status").items()
        ],
    }


class _Reranked:
    """Search results for the paginator: the first RERANK_WINDOW hits re-ordered with the
    validated boost (read as key, status and score only), the rest in the backend's order;
    a page's cases are loaded in full from ``cases``."""

    def __init__(self, results, cases):
        self.results = results
        self.cases = cases
        self.count = results.count()
        self.head = list(results[:RERANK_WINDOW])
        self.head.sort(
            key=lambda c: (
                -(c._score or 0)
                * (VALIDATED_BOOST if c.kcs_status == Case.KcsStatus.VALIDATED else 1)
            )
        )

    def __len__(self):
        return self.count

    def __getitem__(self, key):
        if key.stop is not None and key.stop <= RERANK_WINDOW:
            ranked = self.head[key]
        else:
            ranked = list(self.results[key])
        loaded = self.cases.in_bulk([hit.pk for hit in ranked])
        page = []
        for hit in ranked:
            if hit.pk in loaded:
                loaded[hit.pk]._score = hit._score
                page.append(loaded[hit.pk])
        return page


def case_search(
    *,
    query: str,
    product_line: str = "",
    error_code: str = "",
    status: str = "",
    page: int = 1,
    page_size: int = 10,
    role: str = "",
    log: bool = True,
) -> SearchOutcome:
    """Ranked cases for a query. An empty query lists the most frequent cases. Every query with
    text is logged (role only, no identity) for the trainers' content-gap report.

    Ranking looks at the backend's best hits only (its MAX_HITS, 1,000 in the portal): the count
    says at most that many, and the validated boost reorders the first RERANK_WINDOW."""
    query, truncated = clean_query(query)
    cases = _filtered(product_line, error_code, status)
    if query:
        terms = query_terms(query)
        terms += [alt for term in list(terms) for alt in expand(term)]
        results = (
            get_search_backend()
            .search(query, cases.select_related(None).only("pk", "kcs_status"), operator="or")
            .annotate_score("_score")
        )
        ranked = _Reranked(results, cases)
        facets = _search_facets(results) if ranked.count else _facets(Case.objects.none())
    else:
        terms = []
        ranked = list(cases.order_by("-occurrences", "-last_seen")[:200])
        facets = _facets(Case.objects.filter(pk__in=[c.pk for c in ranked]))
    paginator = Paginator(ranked, page_size)
    page_obj = paginator.get_page(page)
    hits = [
        SearchHit(
            case=case,
            score=round(getattr(case, "_score", 0.0) or 0.0, 3),
            snippet=highlight(f"{case.symptom} {case.cause} {case.resolution}", terms),
        )
        for case in page_obj.object_list
    ]
    log_id = None
    if query and log:
        log_id = SearchQueryLog.objects.create(query=query, role=role, results=len(ranked)).pk
    return SearchOutcome(
        query=query,
        hits=hits,
        count=len(ranked),
        page=page_obj.number,
        pages=paginator.num_pages,
        facets=facets,
        log_id=log_id,
        truncated=truncated,
    )


def popular_cases(limit: int = 5):
    return cases_visible().order_by("-occurrences", "-last_seen")[:limit]


def search_click_record(*, log_id: int, case: Case) -> None:
    SearchQueryLog.objects.filter(pk=log_id, clicked_case__isnull=True).update(clicked_case=case)


def hit_as_dict(hit: SearchHit, request=None) -> dict:
    case = hit.case
    url = case.get_absolute_url()
    return {
        "case_id": case.pk,
        "title": case.title,
        "url": request.build_absolute_uri(url) if request else url,
        "snippet": hit.snippet,
        "product_line": case.product_line.code if case.product_line else None,
        "product_models": case.product_models,
        "error_codes": case.error_codes,
        "status": case.kcs_status,
        "occurrences": case.occurrences,
        "score": hit.score,
        "source_tickets": case_source_ticket_numbers(case=case),
    }
