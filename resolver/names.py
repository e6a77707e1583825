"""Personal names: cleaning, traditional->simplified, surnames, pinyin (with tones and heteronyms), shape."""

from __future__ import annotations

import re
import unicodedata
import warnings
from dataclasses import dataclass
from functools import lru_cache

import zhconv
from pypinyin import Style, pinyin

from resolver.shapes import shape_key

__all__ = [
    "COMPOUND_SURNAMES",
    "HAN_RANGES",
    "MIDDLE_DOT_VARIANTS",
    "NameForm",
    "clean_name",
    "name_pinyin",
    "split_surname",
    "standardise_name",
    "to_simplified",
]

COMPOUND_SURNAMES: frozenset[str] = frozenset(
    [
        "欧阳",
        "司马",
        "诸葛",
        "上官",
        "东方",
        "皇甫",
        "尉迟",
        "公孙",
        "慕容",
        "长孙",
        "宇文",
        "司徒",
        "令狐",
        "夏侯",
        "轩辕",
        "端木",
        "独孤",
        "南宫",
        "西门",
        "万俟",
        "闻人",
        "赫连",
        "澹台",
        "申屠",
        "公冶",
        "濮阳",
        "太史",
        "钟离",
        "宗政",
        "淳于",
        "单于",
        "呼延",
        "百里",
        "东郭",
        "司空",
        "拓跋",
        "第五",
    ]
)
# Surnames read differently from the common reading of the character (toneless, tone3).
_SURNAME_READINGS: dict[str, tuple[str, ...]] = {
    "单": ("shan4",),
    "曾": ("zeng1",),
    "解": ("xie4",),
    "查": ("zha1",),
    "仇": ("qiu2",),
    "区": ("ou1",),
    "朴": ("piao2",),
    "翟": ("zhai2",),
    "盖": ("ge3",),
    "覃": ("qin2",),
    "乐": ("yue4",),
    "缪": ("miao4",),
    "秘": ("bi4",),
    "种": ("chong2",),
    "员": ("yun4",),
    "折": ("she2",),
    "华": ("hua4",),
    "曲": ("qu1",),
    "宓": ("mi4",),
    "冼": ("xian3",),
    "尉迟": ("yu4", "chi2"),
    "万俟": ("mo4", "qi2"),
    "单于": ("chan2", "yu2"),
    "长孙": ("zhang3", "sun1"),
    "召": ("shao4",),
    "过": ("guo1",),
    "繁": ("po2",),
    "尉": ("wei4",),
    "柏": ("bai3",),
}
# Entries per cache of a name's standard forms (standardise_name, name_pinyin, to_simplified). Each API
# worker holds them for its life: full, the three take about 18 MiB at this size and 71 MiB at 65,536 (with
# the address cache, a long-running worker outgrew its 400 MiB budget); common names stay cached either way.
NAME_CACHE = 16384

# Every dot minority names are written with: · (the standard U+00B7), • ・ . ． ‧ ∙ ⋅ ･ ●
MIDDLE_DOT_VARIANTS = "·•.．・‧∙⋅\u2027\u30fb\uff65\u25cf\u2219"
_MIDDLE_DOTS = re.compile(f"[{re.escape(MIDDLE_DOT_VARIANTS)}]+")
_SPACES = re.compile(r"\s+")
# Han characters: the unified block and extension A, compatibility ideographs, and the supplementary
# planes (extensions B-H and the compatibility supplement: 生僻字 such as 𠮷 and 𡒄).
HAN_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_HAN = re.compile(f"[{HAN_RANGES}]")


def _load_zhconv() -> None:
    # zhconv opens its dictionary without closing it; silence that one ResourceWarning here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        zhconv.loaddict()


_load_zhconv()


@dataclass(frozen=True, slots=True)
class NameForm:
    """A name in standard form and the derived codes name comparisons use."""

    text: str  # cleaned, simplified; minority-name dots as "·"; Latin names upper-case
    surname: str
    given: str
    pinyin: str  # toneless, surname-aware, no separators: "zhangsan"
    pinyin_tone: str  # with tone numbers: "zhang1san1"
    readings: tuple[frozenset[str], ...]  # per character: every toneless reading (heteronyms)
    shape: str  # per character look-alike key
    han: bool  # written in Chinese characters
    given_pinyin: str = ""  # toneless pinyin of the given name alone
    compact: str = ""  # the name without separators (dots and spaces)


def clean_name(raw: str) -> str:
    """NFKC (full-width -> half-width), trim, unify middle dots to "·", drop spaces inside Han names."""
    text = unicodedata.normalize("NFKC", raw).strip()
    text = _MIDDLE_DOTS.sub("·", text).strip("·")
    if _HAN.search(text):
        text = _SPACES.sub("", text)
        text = re.sub(r"\s*·\s*", "·", text)
    else:
        text = _SPACES.sub(" ", text).upper()
    return text


@lru_cache(maxsize=NAME_CACHE)
def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese (zhconv, zh-cn)."""
    return str(zhconv.convert(text, "zh-cn"))


def split_surname(name: str) -> tuple[str, str]:
    """(surname, given name) for a Han name; compound surnames (欧阳, 司马, ...) kept whole."""
    if "·" in name:  # minority names transliterated: given·family; keep the whole as given
        return "", name
    if len(name) >= 3 and name[:2] in COMPOUND_SURNAMES:
        return name[:2], name[2:]
    if not _HAN.match(name[:1] or " "):
        parts = name.split(" ")
        return (parts[-1], " ".join(parts[:-1])) if len(parts) > 1 else ("", name)
    return name[:1], name[1:]


@lru_cache(maxsize=16384)
def _readings(char: str) -> frozenset[str]:
    got = pinyin(char, style=Style.NORMAL, heteronym=True, errors="default")
    return frozenset(got[0]) if got else frozenset({char})


@lru_cache(maxsize=16384)
def _tone3(char: str) -> str:
    """The reading of one character in a name with its tone number: the common reading, skipping a
    neutral tone when the character has a toned one (子 in a name is zi3, not the suffix zi5)."""
    got = pinyin(char, style=Style.TONE3, heteronym=True, neutral_tone_with_five=True, errors="default")
    readings = [r.lower() for r in got[0]] if got and got[0] else [char]
    return next((r for r in readings if not r.endswith("5")), readings[0])


@lru_cache(maxsize=NAME_CACHE)
def name_pinyin(name: str) -> tuple[str, str]:
    """(toneless pinyin, tone-numbered pinyin) of a cleaned Han name, character by character (names
    are not words, so no phrase dictionary), with the special readings of surnames."""
    surname, given = split_surname(name)
    toned = list(_SURNAME_READINGS[surname]) if surname in _SURNAME_READINGS else [_tone3(c) for c in surname]
    toned += [_tone3(c) for c in given.replace("·", "")]
    plain = "".join(re.sub(r"\d", "", p) for p in toned)
    return plain, "".join(toned)


@lru_cache(maxsize=NAME_CACHE)
def standardise_name(raw: str | None) -> NameForm | None:
    """The standard form of a name, or None when nothing usable is left after cleaning."""
    if raw is None:
        return None
    text = clean_name(raw)
    if not text:
        return None
    han = bool(_HAN.search(text))
    if han:
        text = to_simplified(text)
        surname, given = split_surname(text)
        plain, toned = name_pinyin(text)
        chars = text.replace("·", "")
        readings = tuple(_readings(c) for c in chars)
        if surname in _SURNAME_READINGS:
            fixed = tuple(
                frozenset({re.sub(r"\d", "", p)}) | readings[i]
                for i, p in enumerate(_SURNAME_READINGS[surname])
            )
            readings = fixed + readings[len(fixed) :]
        shape = "".join(shape_key(c) for c in chars)
        given_py = name_pinyin(given)[0] if surname and given else plain
    else:
        surname, given = split_surname(text)
        plain = re.sub(r"[^A-Z]", "", text).lower()
        toned = plain
        readings = tuple(frozenset({c}) for c in plain)
        shape = plain
        given_py = re.sub(r"[^A-Z]", "", given).lower()
    return NameForm(
        text=text,
        surname=surname,
        given=given,
        pinyin=plain,
        pinyin_tone=toned,
        readings=readings,
        shape=shape,
        han=han,
        given_pinyin=given_py,
        compact=text.replace("·", "").replace(" ", ""),
    )
