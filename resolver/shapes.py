"""Character shape: groups of look-alike characters (形近字) often confused when names are keyed.

No maintained PyPI package ships four-corner or Wubi codes, so this module keeps a compact curated
table of confusable groups drawn from characters common in personal names. ``shape_key`` maps every
member of a group to one key; characters outside the table are their own key.
"""

from __future__ import annotations

__all__ = ["LOOKALIKE_GROUPS", "lookalikes", "shape_key", "shape_similar"]

# Each string is one group of characters that are easily mistaken for one another.
LOOKALIKE_GROUPS: tuple[str, ...] = (
    "己已巳",
    "未末",
    "戊戌戍戎",
    "士土",
    "日曰",
    "人入八",
    "晴睛",
    "陈除",
    "王玉主",
    "大太犬",
    "天夭",
    "刀力",
    "贝见",
    "辨辩辫",
    "徐涂",
    "喻愉偷",
    "苗笛",
    "候侯",
    "杨扬场",
    "汤烫",
    "清请情晴",
    "睛晴",
    "浩皓",
    "瑜愉",
    "萍苹",
    "娟绢鹃",
    "婷停",
    "莉利",
    "丽俪",
    "斌赋",
    "彬杉",
    "华毕",
    "宇字",
    "洁浩",
    "琳淋",
    "霖森",
    "淋琳",
    "梅海",
    "刚冈岗",
    "钢铜",
    "锋峰蜂烽",
    "凤风",
    "红虹",
    "宏弘",
    "鸿洪",
    "洪泓",
    "敏毓",
    "颖颍",
    "丹舟",
    "冉再",
    "明朋",
    "旭旮",
    "昊吴",
    "吴昊",
    "东车",
    "兰兴",
    "春眷",
    "秀季",
    "秋愁",
    "冬各",
    "玲铃",
    "伶怜",
    "俊浚竣峻骏",
    "健建键",
    "捷婕",
    "杰洁",
    "龙尤",
    "夫失",
    "午牛",
    "千干于",
    "子孑孓",
    "井并",
    "开升",
    "田由甲申",
    "白自百",
    "目且",
    "可司",
    "石右",
    "民氏",
    "兵乒乓",
    "鸟乌",
    "免兔",
    "今令",
    "拔拨",
    "析折",
    "沐沭",
    "涛寿",
    "亮高",
    "贤竖",
    "坚竖",
    "娇骄",
    "雪雷",
    "霞震",
    "露路",
    "宁守",
    "晓烧",
    "燕熏",
    "金全",
    "琪棋祺",
    "淇琪",
    "倩靖",
    "静净",
    "菲斐",
    "嘉喜",
    "辉挥",
    "晖辉",
    "涵函",
    "韩翰",
    "瀚翰",
    "轩軒",
    "欣炘",
    "鑫森",
    "磊晶",
    "淼森",
    "燚焱",
    "卫韦",
    "伟炜玮纬苇",
    "纬伟",
    "薇微徽",
    "梓锌",
    "博搏",
    "涵洒",
    "泽择",
    "铭名",
    "昕析",
    "佳住往",
    "怡恰",
    "睿叡",
    # keying confusions seen in hospital feeds (surnames too): 阳/阴, 陈/阵, ...
    "阳阴",
    "陈阵",
    "淑椒",
    "霞暇瑕",
    "桂挂",
    "英瑛",
    "琴芩",
    "娜哪挪",
    "凯恺剀",
    "瑶谣遥摇",
    "波坡披",
    "海悔侮",
    "思恩",
    "帅师",
    "晨晟",
    "慧彗",
    "勇甬",
    "涛祷",
    "李季",
    "杜社",
    "项顶",
    "荣荥",
    "甘廿",
    "孟盂",
    "贵贲",
    "壮状",
    "栋拣",
    "军车",
    "芳劳",
    "晶品",
)

_KEY: dict[str, str] = {}
for _group in LOOKALIKE_GROUPS:
    _root = next((_KEY[c] for c in _group if c in _KEY), _group[0])
    for _char in _group:
        _KEY.setdefault(_char, _root)
del _group, _root, _char


def shape_key(char: str) -> str:
    """The look-alike group key of ``char`` (the character itself when it has no listed look-alikes)."""
    return _KEY.get(char, char)


def shape_similar(a: str, b: str) -> bool:
    """True when two different characters share a look-alike group."""
    return a != b and shape_key(a) == shape_key(b)


def lookalikes(char: str) -> tuple[str, ...]:
    """Characters listed as look-alikes of ``char`` (without ``char`` itself), table order."""
    seen: list[str] = []
    for group in LOOKALIKE_GROUPS:
        if char in group:
            seen.extend(c for c in group if c != char and c not in seen)
    return tuple(seen)
