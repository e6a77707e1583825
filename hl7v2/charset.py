"""MSH-18 character sets: a message's bytes are decoded in the set its MSH-18 names, and the answer is
encoded in the same set (and names it in its own MSH-18).

Supported: UTF-8 (``UNICODE UTF-8``) and GB 18030 (``GB 18030-2000``; ``GB18030``, ``GBK`` and ``GB2312``,
which Chinese HIS often send, are read as GB 18030, their superset), and ASCII. MSH-18 itself is found
without knowing the set yet: the bytes are read as UTF-8 when they are valid UTF-8 (ASCII is), else as
GB 18030; then MSH-18 decides. An empty MSH-18 (HL7's default, ASCII) is tolerated for Chinese text in
either set; the answer then uses the set the bytes were in. Bytes that are valid in neither, or that are not
in the set MSH-18 names, are refused (ERR on MSH-18)."""

from __future__ import annotations

from dataclasses import dataclass

from hl7v2.errors import DATA_TYPE_ERROR, TABLE_VALUE_NOT_FOUND, Hl7Error

__all__ = ["Decoded", "decode_message", "msh18_of"]

UTF8 = "utf-8"
GB18030 = "gb18030"
ASCII = "ascii"

# MSH-18 values (HL7 table 0211, and the spellings Chinese HIS use) -> Python codec
_CODECS = {
    "UNICODE UTF-8": UTF8,
    "UTF-8": UTF8,
    "UTF8": UTF8,
    "UNICODE": UTF8,
    "GB 18030-2000": GB18030,
    "GB18030": GB18030,
    "GB 18030": GB18030,
    "GB18030-2000": GB18030,
    "GB 18030-2005": GB18030,
    "GBK": GB18030,
    "GB2312": GB18030,
    "GB 2312": GB18030,
    "ASCII": ASCII,
    "": "",
}
# What an answer names in its MSH-18 for each codec
MSH18_OF = {UTF8: "UNICODE UTF-8", GB18030: "GB 18030-2000", ASCII: ""}


@dataclass(frozen=True, slots=True)
class Decoded:
    text: str
    codec: str  # how to encode the answer
    msh18: str  # what the answer's MSH-18 says


def msh18_of(text: str) -> str:
    """MSH-18 of an ER7 message (first repetition, first component), '' when absent."""
    first = text.replace("\n", "\r").split("\r", 1)[0]
    if not first.startswith("MSH") or len(first) < 8:
        return ""
    fields = first.split(first[3])
    # fields[0] is "MSH", fields[1] the encoding characters (MSH-2): MSH-n is fields[n - 1]
    if len(fields) < 18:
        return ""
    value = fields[17]
    for sep in first[4:8][:2]:  # repetition and component separators
        value = value.split(sep, 1)[0] if sep else value
    return value.strip()


def decode_message(raw: bytes) -> Decoded:
    """Decode one MLLP block per its MSH-18; ``Hl7Error`` (AR) when the bytes cannot be read as it says."""
    try:
        text, read_as = raw.decode(UTF8), UTF8
    except UnicodeDecodeError:
        try:
            text, read_as = raw.decode(GB18030), GB18030
        except UnicodeDecodeError as exc:
            raise Hl7Error(
                "the message is neither UTF-8 nor GB 18030 text",
                segment="MSH",
                field=18,
                condition=DATA_TYPE_ERROR,
                ack="AR",
            ) from exc
    declared = msh18_of(text)
    codec = _CODECS.get(declared.upper())
    if codec is None:
        raise Hl7Error(
            f"character set {declared!r} is not supported (UNICODE UTF-8, GB 18030-2000, ASCII)",
            segment="MSH",
            field=18,
            condition=TABLE_VALUE_NOT_FOUND,
            ack="AR",
        )
    if codec in ("", ASCII):
        if codec == ASCII and not raw.isascii():
            raise Hl7Error(
                "MSH-18 declares ASCII but the message has other characters",
                segment="MSH",
                field=18,
                condition=DATA_TYPE_ERROR,
                ack="AR",
            )
        return Decoded(text, read_as, declared)
    if codec == read_as:
        return Decoded(text, codec, declared)
    if codec == GB18030:  # valid UTF-8 bytes declared as GB 18030 (ASCII is both): read them as declared
        try:
            return Decoded(raw.decode(GB18030), GB18030, declared)
        except UnicodeDecodeError as exc:
            raise Hl7Error(
                "the message is not GB 18030 text as MSH-18 declares",
                segment="MSH",
                field=18,
                condition=DATA_TYPE_ERROR,
                ack="AR",
            ) from exc
    raise Hl7Error(
        "the message is not UTF-8 text as MSH-18 declares",
        segment="MSH",
        field=18,
        condition=DATA_TYPE_ERROR,
        ack="AR",
    )
