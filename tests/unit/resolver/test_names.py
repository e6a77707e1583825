from __future__ import annotations

import pytest

from resolver.names import clean_name, split_surname, standardise_name
from resolver.shapes import lookalikes, shape_similar


def test_full_width_and_spaces() -> None:
    assert clean_name("　王　芳 ") == "王芳"
    form = standardise_name("ｗａｎｇ  fang")
    assert form is not None and form.text == "WANG FANG" and not form.han


def test_traditional_to_simplified() -> None:
    form = standardise_name("張偉國")
    assert form is not None and form.text == "张伟国"


@pytest.mark.parametrize(
    "raw", ["阿卜杜拉·买买提", "阿卜杜拉•买买提", "阿卜杜拉.买买提", "阿卜杜拉．买买提", "阿卜杜拉 · 买买提"]
)
def test_minority_middle_dots_unified(raw: str) -> None:
    form = standardise_name(raw)
    assert form is not None
    assert form.text == "阿卜杜拉·买买提"
    assert form.compact == "阿卜杜拉买买提"


@pytest.mark.parametrize(
    ("name", "surname", "given"),
    [
        ("欧阳娜娜", "欧阳", "娜娜"),
        ("司马光", "司马", "光"),
        ("诸葛亮", "诸葛", "亮"),
        ("王芳", "王", "芳"),
    ],
)
def test_compound_surnames(name: str, surname: str, given: str) -> None:
    assert split_surname(name) == (surname, given)


def test_pinyin_with_and_without_tones() -> None:
    a, b = standardise_name("王芳"), standardise_name("王方")
    assert a is not None and b is not None
    assert a.pinyin == b.pinyin == "wangfang"
    assert a.pinyin_tone == b.pinyin_tone == "wang2fang1"


def test_surname_reading_of_heteronym() -> None:
    form = standardise_name("单田芳")
    assert form is not None
    assert form.pinyin == "shantianfang"
    assert "shan" in form.readings[0] and "dan" in form.readings[0]


def test_shape_key_groups_lookalikes() -> None:
    a, b = standardise_name("陈晓"), standardise_name("除晓")
    assert a is not None and b is not None
    assert a.shape == b.shape


def test_empty_name_is_missing() -> None:
    assert standardise_name(" · ") is None
    assert standardise_name(None) is None


def test_shape_similar_pairs() -> None:
    assert shape_similar("己", "已") and not shape_similar("己", "己") and not shape_similar("王", "李")
    assert "末" in lookalikes("未")
