"""National code tables used by the master index (see shared EHC-SPEC): names by code, pure data."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "CARD_STATUS",
    "CARD_TYPES",
    "DOMAIN_KINDS",
    "EMPLOYMENT_STATUS",
    "ETHNICITY",
    "GENDER",
    "ID_DOCUMENT_TYPE",
    "MARITAL_STATUS",
    "OID_HEALTH_CARD",
    "OID_ID_DOCUMENT_TYPE",
    "OID_RESIDENT_ID",
    "RESIDENT_STATUS",
    "describe",
]

OID_RESIDENT_ID = "2.16.156.10011.1.3"
OID_HEALTH_CARD = "2.16.156.10011.1.19"
OID_ID_DOCUMENT_TYPE = "2.16.156.10011.2.3.1.1"

# GB/T 2261.1-2003
GENDER: Mapping[str, str] = MappingProxyType({"0": "未知的性别", "1": "男", "2": "女", "9": "未说明的性别"})

# GB/T 2261.2-2003
MARITAL_STATUS: Mapping[str, str] = MappingProxyType(
    {
        "10": "未婚",
        "20": "已婚",
        "21": "初婚",
        "22": "再婚",
        "23": "复婚",
        "30": "丧偶",
        "40": "离婚",
        "90": "未说明的婚姻状况",
    }
)

_ETHNIC_NAMES = [
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
]
# GB 3304-1991: 01-56 in the standard order, 97 other, 98 foreign origin.
ETHNICITY: Mapping[str, str] = MappingProxyType(
    {f"{i:02d}": name for i, name in enumerate(_ETHNIC_NAMES, start=1)}
    | {"97": "其他", "98": "外国血统中国籍人士"}
)

# CV02.01.101 (WS 364-2011)
ID_DOCUMENT_TYPE: Mapping[str, str] = MappingProxyType(
    {
        "01": "居民身份证",
        "02": "居民户口簿",
        "03": "护照",
        "04": "军官证",
        "05": "驾驶证",
        "06": "港澳居民来往内地通行证",
        "07": "台湾居民来往内地通行证",
        "99": "其他法定有效证件",
    }
)

# GB/T 2261.4 employment status (the short occupation table)
EMPLOYMENT_STATUS: Mapping[str, str] = MappingProxyType(
    {
        "11": "国家公务员",
        "13": "专业技术人员",
        "17": "职员",
        "21": "企业管理人员",
        "24": "工人",
        "27": "农民",
        "31": "学生",
        "37": "现役军人",
        "51": "自由职业者",
        "54": "个体经营者",
        "70": "无业人员",
        "80": "退（离）休人员",
        "90": "其他",
    }
)

# Card types of this product (a design input, documented in the README).
CARD_TYPES: Mapping[str, str] = MappingProxyType(
    {
        "ID": "居民身份证",
        "EHC": "电子健康卡",
        "RHC": "居民健康卡（实体卡）",
        "SSC": "社会保障卡",
        "MIV": "医保电子凭证",
        "VISIT": "医院就诊卡",
        "MRN": "机构患者标识",
        "OTHER": "其他证件",
    }
)

CARD_STATUS: Mapping[str, str] = MappingProxyType(
    {
        "active": "正常",
        "suspended": "挂失/冻结",
        "cancelled": "注销",
        "replaced": "已补换",
    }
)

RESIDENT_STATUS: Mapping[str, str] = MappingProxyType(
    {
        "active": "正常",
        "emigrated": "出境定居",
        "deceased": "死亡",
        "merged": "已合并",
    }
)

DOMAIN_KINDS: Mapping[str, str] = MappingProxyType(
    {
        "card_type": "卡类型标识域",
        "region": "地区标识域",
        "institution": "机构标识域",
    }
)


def describe(table: Mapping[str, str], code: str | None) -> str | None:
    """The display name of ``code`` in ``table``, or None when absent."""
    return table.get(code) if code else None
