"""Query-time synonyms for the search backend (``QUERY_EXPANDER`` in WAGTAILSEARCH_BACKENDS).

The table is read once per process and cached; saving or deleting a group bumps a version in
the shared cache, so every web process picks the change up on its next search."""

from django.core.cache import cache

_VERSION_KEY = "knowledge:synonyms:version"
_local = {"version": None, "table": {}}

STARTER_GROUPS = [
    "冷媒, 制冷剂, 氟, 雪种",
    "不制冷, 不凉, 制冷效果差, 不冷",
    "不制热, 不热, 制热效果差",
    "漏水, 滴水, 流水",
    "漏氟, 缺氟, 冷媒泄漏",
    "外机, 室外机, 外机组",
    "内机, 室内机",
    "异响, 噪音大, 有响声",
    "不排水, 排水慢, 排不出水",
    "打不着火, 点不着, 不点火",
    "跳闸, 跳电",
    "主板, 电脑板, 控制板",
    "电容, 启动电容",
    "喇叭口, 扩口",
    "纳子, 螺母",
    "接水盘, 积水盘, 水盘",
]


def synonyms_changed(**kwargs) -> None:
    cache.set(_VERSION_KEY, (cache.get(_VERSION_KEY) or 0) + 1, None)


def _table() -> dict[str, list[str]]:
    version = cache.get(_VERSION_KEY) or 0
    if _local["version"] != version:
        from .models import SynonymGroup

        table: dict[str, list[str]] = {}
        for group in SynonymGroup.objects.filter(active=True):
            words = group.words
            for word in words:
                table.setdefault(word, [])
                table[word].extend(w for w in words if w != word and w not in table[word])
        _local.update(version=version, table=table)
    return _local["table"]


def expand(term: str) -> list[str]:
    """Alternatives for one analysed query term."""
    return list(_table().get(term, ()))
