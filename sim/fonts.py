"""Matplotlib's font for Chinese: one setup for the maps, the plan figures and the report.

Matplotlib's own fonts have no Chinese glyphs. The first family found of :data:`CJK_FONTS`
(Debian's ``fonts-wqy-microhei`` is the one the CI installs) is put before the default
sans-serif list, which then serves as fallback.
"""

from __future__ import annotations

from functools import cache

# Fonts that hold Chinese glyphs, best first.
CJK_FONTS = ("WenQuanYi Micro Hei", "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "SimHei")
# Where Debian puts the first two; other systems' font folders are searched when neither is there.
_CJK_FILES = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
_CJK_FILE_WORDS = ("wqy", "notosanscjk", "noto-cjk", "sourcehansans")


@cache
def _registered_family() -> str | None:
    """Register CJK font files if matplotlib knows none (once a process); the best family known."""
    from pathlib import Path

    from matplotlib import font_manager

    def known() -> set[str]:
        return {f.name for f in font_manager.fontManager.ttflist}

    if not known() & set(CJK_FONTS):  # matplotlib's font cache was made before the font came
        paths = [f for f in _CJK_FILES if Path(f).exists()] or [
            p for p in font_manager.findSystemFonts() if any(w in p.lower() for w in _CJK_FILE_WORDS)]
        for path in paths:
            try:
                font_manager.fontManager.addfont(path)
            except (OSError, RuntimeError):  # a broken or unreadable file: try the next
                continue
    names = known()
    return next((f for f in CJK_FONTS if f in names), None)


def cjk_font() -> str | None:
    """Make a CJK font matplotlib's default sans-serif; its family name, or None when none is installed.

    Call it before each figure: seaborn's ``set_theme`` and ``rcdefaults`` reset the defaults.
    """
    import matplotlib as mpl

    family = _registered_family()
    if family is not None:
        mpl.rcParams["font.sans-serif"] = [family, *(f for f in mpl.rcParams["font.sans-serif"] if f != family)]
        mpl.rcParams["font.family"] = "sans-serif"
        mpl.rcParams["axes.unicode_minus"] = False
    return family
