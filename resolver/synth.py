"""Synthetic population with ground truth: persons, their records in several identifier domains,
realistic errors in duplicates, and hard negatives (twins, common names in one district).

Errors follow what real feeds carry: homophones, look-alike characters keyed by mistake (阳/阴,
陈/阵, 己/已: drawn from ``KEYING_LOOKALIKES``, a list kept apart from the matcher's shape table so
that the evaluation is not circular), traditional forms, abbreviated addresses (上海环城路318号 for
上海市浦东新区环城路318号...), first records without an ID number, and twins whose given names differ
by one character (sharing surname, birth date, address and phone; some of their records lack the ID).

Pure and seeded: ``generate(n, seed=s)`` always returns the same population.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field, replace
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

import zhconv
from faker import Faker
from pypinyin import lazy_pinyin

from resolver.idnumber import check_character
from resolver.records import PersonRecord
from resolver.shapes import lookalikes

__all__ = [
    "DISTRICTS",
    "DOMAINS",
    "FEED_DEFECTS",
    "KEYING_LOOKALIKES",
    "Person",
    "Population",
    "SynthOptions",
    "SyntheticRecord",
    "generate",
    "labelled_pairs",
]

# (adcode, province, city, district) of real GB/T 2260 districts.
DISTRICTS: tuple[tuple[str, str, str, str], ...] = (
    ("110101", "北京市", "北京市", "东城区"),
    ("110105", "北京市", "北京市", "朝阳区"),
    ("110108", "北京市", "北京市", "海淀区"),
    ("310104", "上海市", "上海市", "徐汇区"),
    ("310115", "上海市", "上海市", "浦东新区"),
    ("440106", "广东省", "广州市", "天河区"),
    ("440305", "广东省", "深圳市", "南山区"),
    ("330106", "浙江省", "杭州市", "西湖区"),
    ("320102", "江苏省", "南京市", "玄武区"),
    ("420106", "湖北省", "武汉市", "武昌区"),
    ("510107", "四川省", "成都市", "武侯区"),
    ("610104", "陕西省", "西安市", "莲湖区"),
    ("370102", "山东省", "济南市", "历下区"),
    ("430104", "湖南省", "长沙市", "岳麓区"),
    ("350203", "福建省", "厦门市", "思明区"),
    ("210102", "辽宁省", "沈阳市", "和平区"),
    ("410105", "河南省", "郑州市", "金水区"),
    ("500103", "重庆市", "重庆市", "渝中区"),
)
DOMAINS: tuple[str, ...] = ("H001", "H002", "H003", "SSC", "EHC")
_VERIFIED = frozenset({"SSC", "EHC"})  # real-name verified domains: ID number always present and right
_GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉建国文斌宇浩凯健俊帆帅旭宁"
    "龙林欣晨阳佳琳雪梅婷慧颖嘉怡雨轩子涵梓博睿泽昊然思瑶晓东春秋冬志新海波峰鑫磊亮成"
)
_COMMON_NAMES = ("张伟", "王芳", "李娜", "刘洋", "王静", "李强", "张敏", "王磊")
# Look-alike characters clerks key by mistake (形近字), independent of resolver.shapes' table.
KEYING_LOOKALIKES: tuple[tuple[str, str], ...] = (
    ("阳", "阴"),
    ("陈", "阵"),
    ("己", "已"),
    ("玉", "王"),
    ("末", "未"),
    ("晴", "睛"),
    ("杨", "扬"),
    ("建", "健"),
    ("淑", "椒"),
    ("霞", "暇"),
    ("桂", "挂"),
    ("英", "瑛"),
    ("琴", "芩"),
    ("娜", "哪"),
    ("凯", "恺"),
    ("瑶", "谣"),
    ("波", "坡"),
    ("海", "悔"),
    ("思", "恩"),
    ("帅", "师"),
    ("晨", "晟"),
    ("慧", "彗"),
    ("勇", "甬"),
    ("涛", "祷"),
    ("斌", "赋"),
    ("萍", "苹"),
    ("梅", "海"),
    ("明", "朋"),
)
_KEYING: dict[str, tuple[str, ...]] = {}
for _a, _b in KEYING_LOOKALIKES:
    _KEYING[_a] = (*_KEYING.get(_a, ()), _b)
    _KEYING[_b] = (*_KEYING.get(_b, ()), _a)
del _a, _b

_MINORITY_PARTS = (
    "阿依江",
    "肉孜",
    "买买提",
    "热合曼",
    "加娜尔",
    "别克",
    "古丽",
    "艾力",
    "努尔",
    "帕提古丽",
    "阿不都",
    "吐尔逊",
    "热依拉",
    "依明",
    "卡德尔",
    "阿力木",
    "沙吾提",
    "米日古丽",
    "托合提",
    "玉素甫",
)
_RARE_CHARS = "𠮷𡒄𪚥𠇔𣲗𨭉𥻗𦈡"
_DOT_VARIANTS = ("•", "・", ".", "．")
_STREETS = (
    "解放路",
    "人民路",
    "中山路",
    "建设路",
    "和平街",
    "文化路",
    "胜利街",
    "新华路",
    "长江路",
    "光明街",
)


def _homophones() -> dict[str, tuple[str, ...]]:
    by_sound: dict[str, list[str]] = {}
    for char in dict.fromkeys(_GIVEN_CHARS + "方芬丽力立利莉黎敏民明铭静晶京敬婷庭亭廷"):
        by_sound.setdefault(lazy_pinyin(char)[0], []).append(char)
    return {
        c: tuple(x for x in group if x != c) for group in by_sound.values() for c in group if len(group) > 1
    }


_HOMOPHONES = _homophones()


@dataclass(frozen=True, slots=True)
class Person:
    """The true identity behind records."""

    person_id: str
    name: str
    gender: str
    birth_date: date
    id_number: str
    phone: str
    address: str
    region_code: str
    ethnicity: str
    marital_status: str
    occupation: str
    kind: str = "regular"  # regular | twin | common_name
    twin_of: str | None = None


@dataclass(frozen=True, slots=True)
class SyntheticRecord:
    """One record with the person it belongs to and the errors injected."""

    record: PersonRecord
    person_id: str
    errors: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SynthOptions:
    """Rates of duplicates, hard negatives and errors."""

    max_records: int = 4
    twin_rate: float = 0.04
    common_name_rate: float = 0.04
    name_error: float = 0.15
    id_error: float = 0.1
    id_legacy: float = 0.05
    id_missing: float = 0.2
    date_swap: float = 0.05
    date_missing: float = 0.05
    address_short: float = 0.3
    address_abbrev: float = 0.1  # "上海环城路318号": short province/city name, no district, no flat
    first_id_missing: float = 0.05  # a person's first record (non-verified domain) has no ID number
    twin_one_char: float = 0.5  # share of twins whose given names differ by one character only
    address_missing: float = 0.1
    phone_changed: float = 0.15
    phone_missing: float = 0.1
    gender_missing: float = 0.05
    # Feed defects a master index must accept (off by default; ``FEED_DEFECTS`` turns them on):
    date_off_by_day: float = 0.0  # a later record's birth date one day off (disagrees with the ID number)
    minority_rate: float = 0.0  # persons with a transliterated minority name (given·family)
    dot_variant: float = 0.0  # a later record of such a person writes the dot as •, ・, . or ．
    rare_char_rate: float = 0.0  # persons with a given-name character outside the BMP (生僻字)
    id_region_error: float = 0.0  # a later record's ID number with a mistyped province (unknown prefix)


# Feed defects in the proportions measured on real hospital feeds (about 1.7% of records with an invalid
# ID number, 1% with a birth date disagreeing with the ID number, 0.3% with a non-standard name dot, a
# few 生僻字 names), on top of the usual typing errors (bench/feed_quality.py prints the proportions).
FEED_DEFECTS = SynthOptions(
    id_error=0.045,
    id_region_error=0.003,
    date_swap=0.01,
    date_off_by_day=0.02,
    minority_rate=0.025,
    dot_variant=0.25,
    rare_char_rate=0.003,
)


@dataclass(frozen=True, slots=True)
class Population:
    """Persons, records and the truth linking them."""

    persons: tuple[Person, ...]
    records: tuple[SyntheticRecord, ...]
    seed: int
    options: SynthOptions = field(default_factory=SynthOptions)

    @property
    def labels(self) -> dict[str, str]:
        """record_id -> person_id."""
        return {r.record.record_id: r.person_id for r in self.records}

    @property
    def twin_pairs(self) -> list[tuple[str, str]]:
        """(person, twin) id pairs: these must never be merged."""
        return [(p.person_id, p.twin_of) for p in self.persons if p.twin_of]

    def person_records(self) -> list[PersonRecord]:
        """The records alone, in order."""
        return [r.record for r in self.records]

    def to_rows(self) -> list[dict[str, Any]]:
        """Flat JSON/CSV-ready rows: record fields plus person_id and errors."""
        rows = []
        for r in self.records:
            row = asdict(r.record)
            row["birth_date"] = r.record.birth_date.isoformat() if r.record.birth_date else None
            row["person_id"] = r.person_id
            row["errors"] = ";".join(r.errors)
            rows.append(row)
        return rows


def _id_number(region: str, born: date, gender: str, rng: random.Random, issued: set[str]) -> str:
    while True:
        seq = rng.randrange(0, 500) * 2 + (1 if gender == "1" else 0)
        first17 = f"{region}{born:%Y%m%d}{seq:03d}"
        number = first17 + check_character(first17)
        if number not in issued:
            issued.add(number)
            return number


def _given(rng: random.Random) -> str:
    return "".join(rng.choice(_GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2, 2))))


def _address(district: tuple[str, str, str, str], rng: random.Random) -> str:
    _, province, city, dist = district
    prefix = province + (city if city != province else "")
    return f"{prefix}{dist}{rng.choice(_STREETS)}{rng.randint(1, 300)}号{rng.randint(1, 30)}栋{rng.randint(101, 2505)}室"


def _mobile(rng: random.Random) -> str:
    return rng.choice(("13", "15", "18", "17", "19")) + "".join(str(rng.randrange(10)) for _ in range(9))


def _new_person(
    pid: str,
    fake: Faker,
    rng: random.Random,
    issued: set[str],
    *,
    kind: str = "regular",
    opt: SynthOptions | None = None,
) -> Person:
    opt = opt or SynthOptions()
    gender = rng.choice(("1", "2"))
    # common names are concentrated in one city (Beijing) to make hard negatives
    district = rng.choice(DISTRICTS[:3]) if kind == "common_name" else rng.choice(DISTRICTS)
    born = date(1940, 1, 1) + timedelta(days=rng.randrange(0, 365 * 80))
    surname = fake.last_name()
    name = rng.choice(_COMMON_NAMES) if kind == "common_name" else surname + _given(rng)
    if kind == "regular" and opt.minority_rate and rng.random() < opt.minority_rate:
        given, family = rng.sample(_MINORITY_PARTS, 2)
        name = f"{given}·{family}"
    elif kind == "regular" and opt.rare_char_rate and rng.random() < opt.rare_char_rate:
        name = name[:-1] + rng.choice(_RARE_CHARS)
    return Person(
        person_id=pid,
        name=name,
        gender=gender,
        birth_date=born,
        id_number=_id_number(district[0], born, gender, rng, issued),
        phone=_mobile(rng),
        address=_address(district, rng),
        region_code=district[0],
        ethnicity=rng.choice(("01",) * 18 + ("03", "05", "08")),
        marital_status=rng.choice(("10", "20", "20", "30", "40")),
        occupation=rng.choice(("13", "24", "27", "31", "80")),
        kind=kind,
    )


def _distinct_char(char: str, rng: random.Random) -> str:
    """A given-name character that neither sounds nor looks like ``char``."""
    while True:
        other = rng.choice(_GIVEN_CHARS)
        if (
            other != char
            and lazy_pinyin(other) != lazy_pinyin(char)
            and other not in lookalikes(char)
            and other not in _KEYING.get(char, ())
        ):
            return other


def _twin(person: Person, pid: str, rng: random.Random, issued: set[str], one_char: bool) -> Person:
    surname = person.name[:1]
    given_a = person.name[1:]
    if one_char and len(given_a) >= 2:  # 王伟杰 / 王伟涛: one character apart
        pos = rng.randrange(len(given_a))
        given = given_a[:pos] + _distinct_char(given_a[pos], rng) + given_a[pos + 1 :]
    else:
        given = "".join(_distinct_char(c, rng) for c in given_a)
    gender = rng.choice(("1", "2"))
    return replace(
        person,
        person_id=pid,
        name=surname + given,
        gender=gender,
        id_number=_id_number(person.region_code, person.birth_date, gender, rng, issued),
        kind="twin",
        twin_of=person.person_id,
    )


def _name_error(name: str, rng: random.Random) -> tuple[str, str]:
    positions = list(range(1, len(name))) or [0]
    pos = rng.choice(positions)
    char = name[pos]
    roll = rng.random()
    if roll < 0.45 and char in _HOMOPHONES:
        return name[:pos] + rng.choice(_HOMOPHONES[char]) + name[pos + 1 :], "name_homophone"
    if roll < 0.75:
        keyed = [p for p in range(len(name)) if name[p] in _KEYING]  # the surname too (陈 -> 阵)
        if keyed:
            pos = rng.choice(keyed)
            return name[:pos] + rng.choice(_KEYING[name[pos]]) + name[pos + 1 :], "name_shape"
    if roll < 0.9:
        return zhconv.convert(name, "zh-tw"), "name_traditional"
    return " ".join(name) if rng.random() < 0.5 else name + " ", "name_spacing"


def _id_error(number: str, rng: random.Random) -> tuple[str, str]:
    pos = rng.randrange(0, 17)
    if rng.random() < 0.5 and pos < 16:
        return number[:pos] + number[pos + 1] + number[pos] + number[pos + 2 :], "id_transposed"
    digit = str((int(number[pos]) + rng.randint(1, 9)) % 10)
    return number[:pos] + digit + number[pos + 1 :], "id_digit"


def _short_address(address: str, person: Person) -> str:
    district = next(d for d in DISTRICTS if d[0] == person.region_code)
    return (
        address.replace(district[1], "").replace(district[2], "", 1)
        if district[2] != district[1]
        else address.replace(district[1], "", 1)
    )


def _abbreviated_address(person: Person, rng: random.Random) -> str:
    """What a hurried clerk keys: short province or city name, street and number, nothing else."""
    _, province, city, _ = next(d for d in DISTRICTS if d[0] == person.region_code)
    place = (city if city != province else province).removesuffix("市")
    street = next(s for s in _STREETS if s in person.address)
    number = person.address.split(street, 1)[1].split("号", 1)[0]
    return f"{place}{' ' if rng.random() < 0.3 else ''}{street}{number}号"


def _record(
    person: Person, domain: str, n: int, first: bool, opt: SynthOptions, rng: random.Random
) -> SyntheticRecord:
    errors: list[str] = []
    name, id_number, born = person.name, person.id_number, person.birth_date
    phone, address, gender = person.phone, person.address, person.gender
    verified = domain in _VERIFIED
    if first and not verified and rng.random() < opt.first_id_missing:
        id_number = ""
        errors.append("id_missing")
    if not first:
        if "·" in name:
            if rng.random() < opt.dot_variant:
                name = name.replace("·", rng.choice(_DOT_VARIANTS))
                errors.append("name_dot_variant")
        elif rng.random() < opt.name_error:
            name, err = _name_error(name, rng)
            errors.append(err)
        if not verified:
            roll = rng.random()
            if roll < opt.id_missing:
                id_number = ""
                errors.append("id_missing")
            elif roll < opt.id_missing + opt.id_error:
                id_number, err = _id_error(id_number, rng)
                errors.append(err)
            elif roll < opt.id_missing + opt.id_error + opt.id_region_error:
                id_number = str((int(id_number[0]) + rng.randint(1, 8)) % 10) + id_number[1:]
                errors.append("id_region")
            elif (
                roll < opt.id_missing + opt.id_error + opt.id_region_error + opt.id_legacy
                and born.year < 2000
            ):
                id_number = id_number[:6] + id_number[8:17]
                errors.append("id_legacy15")
        if rng.random() < opt.date_swap and born.day <= 12 and born.day != born.month:
            born = date(born.year, born.day, born.month)
            errors.append("date_swapped")
        elif not verified and rng.random() < opt.date_missing:
            born = None  # type: ignore[assignment]
            errors.append("date_missing")
        elif not verified and opt.date_off_by_day and rng.random() < opt.date_off_by_day:
            born = born + timedelta(days=rng.choice((-1, 1)))
            errors.append("date_off_by_day")
        roll = rng.random()
        if roll < opt.address_missing:
            address = ""
            errors.append("address_missing")
        elif roll < opt.address_missing + opt.address_short:
            address = _short_address(address, person)
            errors.append("address_short")
        elif roll < opt.address_missing + opt.address_short + opt.address_abbrev:
            address = _abbreviated_address(person, rng)
            errors.append("address_abbrev")
        roll = rng.random()
        if roll < opt.phone_missing:
            phone = ""
            errors.append("phone_missing")
        elif roll < opt.phone_missing + opt.phone_changed:
            phone = _mobile(rng)
            errors.append("phone_changed")
        elif rng.random() < 0.3:
            phone = f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}"
        if rng.random() < opt.gender_missing:
            gender = ""
            errors.append("gender_missing")
    record = PersonRecord(
        record_id=f"{person.person_id}-{n}",
        source_domain=domain,
        local_id=f"{domain}-{rng.randrange(10**7, 10**8)}",
        name=name,
        gender=gender or None,
        birth_date=born,
        id_number=id_number or None,
        phone=phone or None,
        address=address or None,
        region_code=None,
        ethnicity=person.ethnicity,
        marital_status=person.marital_status,
        occupation=person.occupation,
    )
    return SyntheticRecord(record=record, person_id=person.person_id, errors=tuple(errors))


def _unique_local_ids(records: list[SyntheticRecord]) -> list[SyntheticRecord]:
    """Two persons drawn the same random local id in one domain would be one source record to the
    index (idempotent on source domain + local id): suffix the later one (no extra random draw, so
    the rest of the population is unchanged)."""
    seen: set[tuple[str | None, str | None]] = set()
    out: list[SyntheticRecord] = []
    for r in records:
        key = (r.record.source_domain, r.record.local_id)
        if key in seen:
            r = replace(r, record=replace(r.record, local_id=f"{r.record.local_id}-{r.record.record_id}"))
        seen.add((r.record.source_domain, r.record.local_id))
        out.append(r)
    return out


def generate(n_persons: int, *, seed: int = 0, options: SynthOptions | None = None) -> Population:
    """A population of about ``n_persons`` persons (twins included) and their records."""
    opt = options or SynthOptions()
    rng = random.Random(seed)
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    persons: list[Person] = []
    issued: set[str] = set()
    while len(persons) < n_persons:
        pid = f"P{len(persons):06d}"
        kind = "common_name" if rng.random() < opt.common_name_rate else "regular"
        person = _new_person(pid, fake, rng, issued, kind=kind, opt=opt)
        persons.append(person)
        if (
            kind == "regular"
            and "·" not in person.name
            and rng.random() < opt.twin_rate
            and len(persons) < n_persons
        ):
            persons.append(
                _twin(person, f"P{len(persons):06d}", rng, issued, rng.random() < opt.twin_one_char)
            )
    records: list[SyntheticRecord] = []
    for person in persons:
        count = rng.randint(1, opt.max_records)
        domains = rng.sample(DOMAINS, count)
        for n, domain in enumerate(domains):
            records.append(_record(person, domain, n, n == 0, opt, rng))
    records = _unique_local_ids(records)
    order = list(range(len(records)))
    rng.shuffle(order)
    return Population(
        persons=tuple(persons), records=tuple(records[i] for i in order), seed=seed, options=opt
    )


def labelled_pairs(
    population: Population, *, n_match: int = 200, n_distinct: int = 200, seed: int = 0
) -> dict[str, list[tuple[dict[str, Any], dict[str, Any]]]]:
    """Training pairs in dedupe's format from the ground truth, as JSON-ready record dicts.

    Matches are records of one person; distinct pairs are hard negatives first (twins, people with
    one common name) and then random pairs.
    """
    rng = random.Random(seed)
    by_person: dict[str, list[PersonRecord]] = {}
    for r in population.records:
        by_person.setdefault(r.person_id, []).append(r.record)
    matches = [(a, b) for recs in by_person.values() for i, a in enumerate(recs) for b in recs[i + 1 :]]
    rng.shuffle(matches)
    persons = {p.person_id: p for p in population.persons}
    hard: list[tuple[PersonRecord, PersonRecord]] = []
    for twin, sibling in population.twin_pairs:
        if by_person.get(twin) and by_person.get(sibling):
            hard.append((rng.choice(by_person[twin]), rng.choice(by_person[sibling])))
    common: dict[str, list[str]] = {}
    for pid, person in persons.items():
        if person.kind == "common_name":
            common.setdefault(person.name, []).append(pid)
    for pids in common.values():
        for first, second in pairwise(pids):
            hard.append((rng.choice(by_person[first]), rng.choice(by_person[second])))
    rng.shuffle(hard)
    distinct = hard[:n_distinct]
    records = [r.record for r in population.records]
    labels = population.labels
    while len(distinct) < n_distinct and len(persons) > 1:
        x, y = rng.sample(records, 2)
        if labels[x.record_id] != labels[y.record_id]:
            distinct.append((x, y))
    return {
        "match": [(a.to_dict(), b.to_dict()) for a, b in matches[:n_match]],
        "distinct": [(a.to_dict(), b.to_dict()) for a, b in distinct],
    }
