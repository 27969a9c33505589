"""Pieces of a page that read the same for every visitor: rendered once per process and content.

Jinja macros, WTForms widgets and Babel's formatting cost most of a public
page's time, and most visitors get the same pieces: an empty form's fields,
a filter's options, a row of the activity list. A piece is kept under a key
that holds everything its HTML is made of (the language, the values shown),
so a change renders anew and nothing is ever stale. Unlike the visitors'
page cache (app.serving), no setting turns this off: it shows nothing old.
"""


class Fragments:
    """Rendered pieces of one kind, at most `size`; emptied when full, so odd keys cannot grow it."""

    def __init__(self, size):
        self.size = size
        self._html = {}

    def get(self, key, render, *args):
        """Return the HTML kept under `key`, calling `render(*args)` for it the first time."""
        html = self._html.get(key)
        if html is None:
            if len(self._html) >= self.size:
                self._html.clear()
            html = self._html[key] = render(*args)
        return html
