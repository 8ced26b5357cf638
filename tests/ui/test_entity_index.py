"""The entity index screen in a tiny host app: groups with counts by label, the filter, a group's articles,
opening one at the first mention, and the entities found beside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input, Tabs

from docbao.store.index import KnowledgeIndex
from docbao.tui.screens.entity_index import EntityIndexScreen
from tests.ui.conftest import settle
from tests.unit.test_index import AN_1, AN_2, AN_3, KREMLIN, PUTIN, analysed, article


class Host(App[None]):
    def __init__(self, index: KnowledgeIndex, **kwargs: Any) -> None:
        super().__init__()
        self.index = index
        self.kwargs = kwargs
        self.opened: list[tuple[str, int]] = []

    def on_mount(self) -> None:
        self.push_screen(EntityIndexScreen(self.index, on_open=lambda a, o: self.opened.append((a, o)),
                                           **self.kwargs))


@pytest.fixture
def lib():
    return [article(PUTIN, "putin.txt", "2024-12-06"), article(KREMLIN, "kremlin.txt", "2024-12-07"),
            article(AN_1, "an1.txt"), article(AN_2, "an2.txt"), article(AN_3, "an3.txt"),
            article("[Tin] Hà Nội\nPutin nói về [b]Hà Nội[/b].\n", "odd.txt")]


@pytest.fixture
def index(tmp_path: Path, lib) -> KnowledgeIndex:
    ix = KnowledgeIndex()
    ix.refresh(lib, analysed(tmp_path, lib))
    return ix


def prompts(option_list) -> list[str]:
    return [str(option_list.get_option_at_index(i).prompt) for i in range(option_list.option_count)]


async def ready(pilot, app) -> EntityIndexScreen:
    await settle(pilot, lambda: isinstance(app.screen, EntityIndexScreen))
    screen = app.screen
    assert isinstance(screen, EntityIndexScreen)
    return screen


async def test_people_with_counts_and_who_is_beside_them(index: KnowledgeIndex) -> None:
    app = Host(index)
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await ready(pilot, app)
        names = prompts(screen.main_list)
        assert names[0] == "Vladimir Putin  6 mentions · 3 articles"
        assert any(n.startswith("Alexander Lukashenko  3 mentions · 1 article") for n in names)
        assert len(names) == len(index.groups("PER"))
        side = prompts(screen.side_list)
        assert any(s.startswith("Minsk  LOC · 2") for s in side)
        assert "Vladimir Putin" in str(screen.query_one("#entities-side-heading").render())
        # moving the highlight changes what is shown beside
        await pilot.press("down")
        await settle(pilot)
        g = screen.groups[1]
        assert prompts(screen.side_list) == [f"{c.name}  {c.label} · {n}" for c, n in index.cooccurring(g.id, 30)]
        assert all(b.id and b.description for b in EntityIndexScreen.BINDINGS)


async def test_labels_by_key_and_tab_and_the_filter(index: KnowledgeIndex) -> None:
    app = Host(index)
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await ready(pilot, app)
        await pilot.press("2")
        await settle(pilot)
        assert screen.label == "LOC" and screen.query_one(Tabs).active == "tab-LOC"
        assert {g.label for g in screen.groups} == {"LOC"}
        assert "Hà Nội" in {g.name for g in screen.groups}
        await pilot.press("slash")
        await pilot.press(*"ha noi")
        await settle(pilot)
        assert [g.name for g in screen.groups] == ["Hà Nội"]
        # digits typed into the filter stay text
        await pilot.press("3")
        await settle(pilot)
        assert screen.label == "LOC" and screen.query_one(Input).value == "ha noi3"
        await pilot.press("escape")  # clears the filter
        await settle(pilot)
        assert screen.name_filter == "" and len(screen.groups) == len(index.groups("LOC"))
        await pilot.press("3")
        await settle(pilot)
        assert [g.name for g in screen.groups] == ["Điện Kremlin"]
        await pilot.press("4")
        await settle(pilot)
        assert [g.name for g in screen.groups] == ["Oreshnik"]


async def test_enter_lists_articles_then_opens_one_at_the_first_mention(index: KnowledgeIndex, lib) -> None:
    app = Host(index)
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await ready(pilot, app)
        await pilot.press("enter")
        await settle(pilot)
        putin = index.groups("PER")[0]
        assert screen.group == putin
        titles = prompts(screen.main_list)
        assert len(titles) == 3 and titles[0].startswith(lib[0].title)
        assert "[Tin] Hà Nội" in "".join(titles)  # markup in titles is shown as written
        await pilot.press("enter")
        ga = index.articles_of(putin.id)[0]
        assert app.opened == [(ga.article.id, ga.start)]
        text = next(a.text for a in lib if a.id == ga.article.id)
        assert text[ga.start:ga.end] == ga.surface and "Putin" in ga.surface
        # Esc: back to the people, Putin still highlighted; q (or Esc again) leaves
        await pilot.press("escape")
        await settle(pilot)
        assert screen.group is None and screen.main_list.highlighted == 0 and screen.label == "PER"
        await pilot.press("q")
        await settle(pilot)
        assert not isinstance(app.screen, EntityIndexScreen)


async def test_jump_to_an_entity_found_beside(index: KnowledgeIndex) -> None:
    app = Host(index)
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await ready(pilot, app)
        await pilot.press("tab")
        assert screen.focused is screen.side_list
        target, _ = index.cooccurring(index.groups("PER")[0].id, 30)[0]
        await pilot.press("enter")
        await settle(pilot)
        assert screen.label == target.label
        assert screen.groups[screen.main_list.highlighted or 0] == target
        assert screen.focused is screen.main_list


async def test_a_large_label_lists_the_most_mentioned_and_the_filter_finds_the_rest(index) -> None:
    app = Host(index, label="LOC", limit=2)
    async with app.run_test(size=(140, 30)) as pilot:
        screen = await ready(pilot, app)
        total = len(index.groups("LOC"))
        assert len(screen.groups) == 2 and screen.total == total > 2
        assert f"2 of {total} shown" in str(screen.query_one("#entities-status").render())
        screen.query_one(Input).value = "viet"
        await settle(pilot)
        assert [g.name for g in screen.groups] == ["Việt Nam"]


async def test_an_empty_index_says_so() -> None:
    app = Host(KnowledgeIndex())
    async with app.run_test(size=(120, 24)) as pilot:
        screen = await ready(pilot, app)
        assert screen.main_list.option_count == 0
        assert "still being analysed" in str(screen.query_one("#entities-status").render())
        await pilot.press("enter", "down", "tab", "enter")  # nothing to open: nothing happens
        assert app.opened == []
