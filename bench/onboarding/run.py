"""The two parts of the onboarding benchmark: the labelled real pages, and the sample province."""

from __future__ import annotations

from typing import Any

from bench.onboarding import realset
from bench.onboarding.score import ListScore, day, score_detail, score_list
from collectors.decoding import decode_bytes
from collectors.errors import NotAList
from collectors.parsers.details import parse_detail
from collectors.parsers.lists import find_list
from normalizers.text import clean_body


def read_list(text: str, url: str) -> tuple[list[tuple[str, str, str | None]], float, bool, str]:
    """What the finder answers with no selectors: entries, confidence, whether it is confident, why."""
    try:
        f = find_list(text, url)
    except NotAList as exc:
        return [], 0.0, False, str(exc)
    return [(e.url, e.title, e.list_date) for e in f.entries], f.confidence, f.confident, f.reason


def body_text(html: str, url: str, title: str | None) -> str:
    return clean_body(html, url, title=title or "").text


def _summary(list_scores: list[ListScore], detail_scores: list, skipped: dict[str, int],
             sites: dict[str, set[str]]) -> dict[str, Any]:
    return {
        "lists": {
            "pages": len(list_scores), "right": sum(s.right for s in list_scores),
            "dates_right": sum(s.right or (s.expected is not None and s.dates_right and s.confident)
                               for s in list_scores),
            "silent_wrong": sum(s.silent_wrong for s in list_scores), "skipped": skipped["list"],
            "sites": len(sites["list"]),
            "wrong": [f"{s.name}: recall {s.recall:.2f} precision {s.precision:.2f} dates "
                      f"{'ok' if s.dates_right else 'WRONG'} confidence {s.confidence:.2f}"
                      f"{'' if s.confident else ' (not confident)'} found {s.found} of {s.expected}"
                      f" {s.reason}" for s in list_scores if not s.right],
        },
        "details": {
            "pages": len(detail_scores), "right": sum(s.right for s in detail_scores),
            "title": sum(s.title_right for s in detail_scores), "date": sum(s.date_right for s in detail_scores),
            "first": sum(s.first_right for s in detail_scores), "last": sum(s.last_right for s in detail_scores),
            "skipped": skipped["detail"], "sites": len(sites["detail"]),
            "wrong": [f"{s.name}: " + ", ".join(k for k, ok in (("title", s.title_right), ("date", s.date_right),
                                                              ("first", s.first_right), ("last", s.last_right),
                                                              ("table row", s.table_right))
                                                if not ok) + f" — got {s.got}"
                      for s in detail_scores if not s.right],
        },
    }


def run_real() -> dict[str, Any]:
    list_scores: list[ListScore] = []
    detail_scores = []
    skipped = {"list": 0, "detail": 0}
    sites: dict[str, set[str]] = {"list": set(), "detail": set()}
    for case in realset.cases():
        raw = realset.page_bytes(case)
        if raw is None:
            skipped[case.kind] += 1
            continue
        sites[case.kind].add(case.site)
        text = decode_bytes(raw).text
        if case.kind == "list":
            found, conf, confident, reason = read_list(text, case.url)
            list_scores.append(score_list(case.name, case.truth["items"], found, conf, confident, reason))
        else:
            d = parse_detail(text, case.url, {})
            detail_scores.append(score_detail(case.name, case.truth, d.title, d.published,
                                              body_text(d.story or d.html, case.url, d.title), d.story or d.html))
    out = _summary(list_scores, detail_scores, skipped, sites)
    out["what"] = "real pages from public repositories, labelled by hand (tests/collectors/real)"
    return out


def _get(url: str) -> tuple[bytes, str | None]:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as resp:  # noqa: S310 (the province on 127.0.0.1)
        return resp.read(), resp.headers.get_content_charset()


HTML_TEMPLATES = ("ucap", "trs", "hanweb", "simple")


def story_paragraphs(item: Any, now: Any) -> tuple[str, ...]:
    """The story's own paragraphs: without the 来源/记者 line a re-poster put first and the
    （责任编辑：…） line it put last (the world records both edits): they are the page's bylines,
    which the collector hands on as bylines, not the story's first and last sentences."""
    paras = item.text(now)
    if paras[1:] and {"source-line", "byline"} & set(item.transforms):
        paras = paras[1:]
    if paras[1:] and "editor-line" in item.transforms:
        paras = paras[:-1]
    return paras


def run_province(seed: int = 1, days: int = 7, details_per_site: int = 3) -> dict[str, Any]:
    """Every sample-province list read with no selectors, against the province's truth: HTML lists
    through the list finder (its first page: the newest ``page_size`` stories), feeds and JSON
    through probe; three detail pages a site through the detail parser."""
    import sample_province
    from collectors.probe import probe
    from sample_province.urls import page_size
    from settings.model import CollectorSettings

    settings = CollectorSettings(workers=8, per_host=8, connect_timeout=2.0, read_timeout=5.0, total_timeout=10.0)
    list_scores: list[ListScore] = []
    detail_scores = []
    sites: dict[str, set[str]] = {"list": set(), "detail": set()}
    with sample_province.start(seed=seed, speed=0) as p:
        p.advance(days=days)
        now = p.now()
        truth_items = [t for t in p.truth()["items"] if not t["deleted"]]
        for src in p.sources():
            mine = sorted((t for t in truth_items if t["source"] == src["id"]), key=lambda t: t["released_at"],
                          reverse=True)
            site = p.site_by_id.get(mine[0]["site"]) if mine else None
            if site is None or site.referer or site.cookie:
                continue  # an access rule, not a list-finding question (test_province covers those)
            ch = next((c for c in site.channels if src["id"].endswith(c.key)), site.channels[0])
            first_page = mine[:page_size(site, ch, {})]
            name = f"{src['id']} ({ch.template})"
            shown_dates = site.list_date not in (None, "md-bracket")
            truth = [{"url": t["url"], "title": t["title"], "date": t["published_at"] if shown_dates else None}
                     for t in first_page]
            try:
                if ch.template in HTML_TEMPLATES:
                    raw, cs = _get(src["url"])
                    found, conf, confident, reason = read_list(decode_bytes(raw, http_charset=cs).text, src["url"])
                    if not shown_dates:
                        found = [(u, t, None) for u, t, _ in found]
                else:
                    items = probe(src["url"], settings=settings, details=0)
                    found, conf, confident, reason = [(i.url, i.title, None) for i in items], 1.0, True, ""
                    truth = [dict(t, date=None) for t in truth]
            except Exception as exc:  # noqa: BLE001 (a failure is a wrong answer, named)
                found, conf, confident, reason = [], 0.0, False, f"{type(exc).__name__}: {exc}"
            list_scores.append(score_list(name, truth, found, conf, confident, reason))
            sites["list"].add(site.id)
            if ch.template not in HTML_TEMPLATES:
                continue
            for t in first_page[:details_per_site]:
                world_item = p.world.by_path.get(t["url"][len(p.url):])
                if world_item is None:
                    continue
                raw, cs = _get(t["url"])
                d = parse_detail(decode_bytes(raw, http_charset=cs).text, t["url"], {})
                paras = story_paragraphs(world_item, now)
                dtruth = {"title": t["title"], "date": day(t["published_at"]),
                          "first": paras[0][:20] if paras else None, "last": paras[-1][-20:] if paras else None}
                detail_scores.append(score_detail(f"{src['id']}:{t['url'].rsplit('/', 1)[-1]}", dtruth, d.title,
                                                  d.published, body_text(d.story or d.html, t["url"], d.title)))
                sites["detail"].add(site.id)
    out = _summary(list_scores, detail_scores, {"list": 0, "detail": 0}, sites)
    out["what"] = f"sample province (seed {seed}, {days} simulated days), every template, no selectors"
    return out
