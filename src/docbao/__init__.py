"""docbao: read news articles in the terminal with named entities and quotes highlighted.

Installed, docbao is this one import package: ``docbao.analysis`` (text analysis, no UI), ``docbao.store``
(articles and annotations) and ``docbao.tui`` (the command line and the Textual app). In the repository the
three live at the top level (``analysis/``, ``store/``, ``tui/``) and the wheel maps them under ``docbao/``.
A source checkout (an editable install, or tests run from the repository) has only this file here, so the
package's path is extended to the repository's top level, where the three folders are.
"""

from __future__ import annotations

import os as _os

__version__ = "0.2.0"

_here = _os.path.dirname(_os.path.abspath(__file__))
if not _os.path.isdir(_os.path.join(_here, "tui")):
    _top = _os.path.dirname(_os.path.dirname(_here))
    if _top not in __path__:
        __path__.append(_top)
