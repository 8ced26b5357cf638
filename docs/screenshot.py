"""Redraw docs/screenshot.svg: the bundled seed article in the reader at 140×40, analysed, the cursor on its
first quote and the side panel on the quotes tab. Run from the repository: python docs/screenshot.py"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent


async def main() -> None:
    home = Path(tempfile.mkdtemp(prefix="docbao-screenshot-"))
    os.environ.update(DOCBAO_DB=str(home / "db.json"), DOCBAO_CACHE_DIR=str(home / "cache"),
                      DOCBAO_DATA_DIR=str(home / "data"), DOCBAO_CONFIG=str(home / "config.toml"))
    from docbao.tui.launch import build_app
    from docbao.tui.screens.library import LibraryScreen
    from docbao.tui.screens.reader import ReaderScreen

    app, errors, _ = build_app([str(HERE.parent / "seeds")])
    assert app is not None, errors
    async with app.run_test(size=(140, 40)) as pilot:
        while not (isinstance(app.screen, LibraryScreen) and app.store_handle.ready):
            await pilot.pause(0.05)
        table = app.screen.table
        table.move_to(next(r.article_id for r in table.rows if "Putin" in r.title))
        await pilot.press("enter")
        while not (isinstance(app.screen, ReaderScreen) and app.screen.analysed):
            await pilot.pause(0.05)
        await pilot.press("Q", "right_parenthesis")
        await pilot.pause(0.3)
        app.save_screenshot(filename="screenshot.svg", path=str(HERE))
    print(f"wrote {HERE / 'screenshot.svg'}")


if __name__ == "__main__":
    asyncio.run(main())
