"""The console speaks the stewards' language: zh-CN by default, English as a switch (cookie ``ehc_lang``)."""

from __future__ import annotations

from fastapi import Request

__all__ = ["LANGS", "LANG_COOKIE", "language", "translator"]

LANG_COOKIE = "ehc_lang"
LANGS = ("zh-CN", "en")

_TEXT: dict[str, tuple[str, str]] = {
    "app": ("居民健康卡主索引 · 数据管理台", "Health-card EMPI · steward console"),
    "sign_in": ("登录", "Sign in"),
    "sign_out": ("退出", "Sign out"),
    "username": ("用户名", "User name"),
    "password": ("密码", "Password"),
    "search": ("检索", "Search"),
    "reviews": ("待审核", "Review queue"),
    "dashboard": ("统计", "Dashboard"),
    "merge": ("合并", "Merge"),
    "data_quality": ("数据质量", "Data quality"),
    "dq_flags": ("数据质量标记", "Data-quality flags"),
    "any_flag": ("全部标记", "Any flag"),
    "any_domain": ("全部来源（如 H001）", "Any source (e.g. H001)"),
    "filter": ("筛选", "Filter"),
    "next_page": ("下一页", "Next page"),
    "no_flagged": ("没有带数据质量标记的记录", "No flagged records"),
    "admin": ("订阅管理", "Subscriptions"),
    "search_hint": (
        "姓名（汉字或拼音）、身份证号、卡号/病历号、手机号或 EMPI 号",
        "Name (hanzi or pinyin), ID number, card or hospital number, phone or EMPI id",
    ),
    "no_results": ("没有找到记录", "No records found"),
    "name": ("姓名", "Name"),
    "gender": ("性别", "Gender"),
    "birth_date": ("出生日期", "Birth date"),
    "id_number": ("身份证号", "ID number"),
    "phone": ("手机号", "Phone"),
    "source": ("来源", "Source"),
    "empi_id": ("EMPI 号", "EMPI id"),
    "found_by": ("匹配方式", "Found by"),
    "reveal": ("显示", "Reveal"),
    "identity": ("身份", "Identity"),
    "golden": ("主记录（黄金记录）", "Golden record"),
    "field": ("字段", "Field"),
    "value": ("值", "Value"),
    "from": ("来源记录", "From record"),
    "records": ("来源记录与卡", "Records and cards"),
    "cards": ("卡", "Cards"),
    "domain": ("标识域", "Domain"),
    "history": ("历史", "History"),
    "graph": ("身份关系图", "Identity graph"),
    "graph_help": (
        "点击卡查看其他持卡人，点击 SAME_AS 连线查看逐字段解释，双击记录展开邻居。",
        (
            "Click a card for its other holders, a SAME_AS edge for the per-field explanation; "
            "double-click a record to expand its neighbours."
        ),
    ),
    "conflicts": ("冲突", "Conflicts"),
    "conflict_id": ("同一身份含两个不同的有效身份证号", "Two different valid ID numbers in one identity"),
    "conflict_card": ("一张卡被两个身份持有", "A card held by two identities"),
    "conflict_weak": ("弱连接维系着这个聚类", "A weak link holds the cluster together"),
    "when": ("时间", "When"),
    "what": ("事件", "Event"),
    "who": ("操作人", "Who"),
    "why": ("原因", "Why"),
    "score": ("得分", "Score"),
    "model": ("模型版本", "Model version"),
    "undo": ("撤销", "Undo"),
    "unlink": ("拆分此记录", "Unlink this record"),
    "reason": ("原因", "Reason"),
    "status": ("状态", "Status"),
    "age": ("创建时间", "Created"),
    "region": ("地区", "Region"),
    "sort": ("排序", "Sort"),
    "open_item": ("打开", "Open"),
    "confirm": ("确认合并 (C)", "Confirm (C)"),
    "reject": ("不是同一人 (R)", "Reject (R)"),
    "skip": ("跳过 (S)", "Skip (S)"),
    "record_a": ("记录 A", "Record A"),
    "record_b": ("记录 B", "Record B"),
    "agreement": ("一致性", "Agreement"),
    "explanation": ("引擎解释", "Engine explanation"),
    "already_decided": ("此条目已由 {who} 处理（{status}）", "Already decided by {who} ({status})"),
    "taken_by": ("此条目正由 {who} 处理（租约至 {until} UTC）", "Taken by {who} (until {until} UTC)"),
    "taken_short": ("{who} 处理中", "taken by {who}"),
    "open": ("待处理", "open"),
    "confirmed": ("已确认", "confirmed"),
    "rejected": ("已驳回", "rejected"),
    "not_found": ("未找到", "Not found"),
    "conflict": ("冲突", "Conflict"),
    "invalid": ("输入有误", "Invalid input"),
    "back": ("返回检索", "Back to search"),
    "records_total": ("记录", "Records"),
    "identities": ("身份", "Identities"),
    "survivor": ("保留身份", "Survivor"),
    "merged": ("被合并身份", "Merged"),
    "preview": ("预览", "Preview"),
    "apply_merge": ("执行合并", "Apply merge"),
    "merge_done": ("已合并，可撤销", "Merged; it can be undone"),
    "undo_done": ("已撤销合并", "Merge undone"),
    "unlink_done": ("已拆分", "Record unlinked"),
    "registrations": ("每日新建档", "Registrations per day"),
    "merges": ("每日合并", "Merges per day"),
    "duplicate_rate": ("重复率", "Duplicate rate"),
    "backlog": ("待审核积压", "Review backlog"),
    "by_domain": ("按标识域", "By domain"),
    "by_region": ("按地区", "By region"),
    "totals": ("总量", "Totals"),
    "subscriptions": ("订阅健康", "Subscription health"),
    "lag": ("滞后", "Lag"),
    "dead_letters": ("死信", "Dead letters"),
    "redrive": ("重新投递", "Re-drive"),
    "forbidden": ("无权访问", "Not allowed"),
    "error": ("操作失败", "The action failed"),
    "language": ("English", "中文"),
}


def language(request: Request) -> str:
    wanted = request.cookies.get(LANG_COOKIE)
    return wanted if wanted in LANGS else "zh-CN"


def translator(lang: str):  # type: ignore[no-untyped-def]
    index = 0 if lang == "zh-CN" else 1

    def t(key: str) -> str:
        pair = _TEXT.get(key)
        return pair[index] if pair else key

    return t
