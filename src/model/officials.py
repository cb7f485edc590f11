"""People with the offices the text attaches to them.

``Ủy viên Trung ương Đảng, Bí thư Thành ủy Đà Nẵng Nguyễn Văn Quảng``: a chain
of POS spans joined by commas, "và" or "kiêm" attaches to the PER right after
it (an honorific such as "ông" may stand between). ``Nguyễn Văn A, Chủ tịch
UBND tỉnh, cho biết``: a chain after a name and a comma attaches to that name
when no other name follows the chain. Mentions of one name are merged.
"""
from __future__ import annotations

import re
import unicodedata

from model.result import Entity, Official

_JOIN = re.compile(r"\s*(,|;|và|kiêm|,\s*kiêm|,\s*và)?\s*", re.I)
_BEFORE_NAME = re.compile(r"\s*((đồng chí|ông|bà|anh|chị|đ/c|Đ/c)\s+)?", re.I)
_AFTER_NAME = re.compile(r"\s*(,|-|–|\()\s*")


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).casefold().split())


def _chains(text: str, entities: list[Entity]) -> list[tuple[int, int]]:
    """Index ranges [i, j) of consecutive POS entities joined by _JOIN."""
    out, i = [], 0
    while i < len(entities):
        if entities[i].label != "POS":
            i += 1
            continue
        j = i + 1
        while (j < len(entities) and entities[j].label == "POS"
               and _JOIN.fullmatch(text[entities[j - 1].end:entities[j].start])):
            j += 1
        out.append((i, j))
        i = j
    return out


def find_officials(text: str, entities: list[Entity]) -> list[Official]:
    entities = sorted(entities, key=lambda e: e.start)
    attached: dict[int, list[Entity]] = {}  # PER index -> offices
    for i, j in _chains(text, entities):
        nxt = entities[j] if j < len(entities) else None
        if nxt is not None and nxt.label == "PER" and _BEFORE_NAME.fullmatch(text[entities[j - 1].end:nxt.start]):
            attached.setdefault(j, []).extend(entities[i:j])
            continue
        prev = entities[i - 1] if i > 0 else None
        if prev is not None and prev.label == "PER" and _AFTER_NAME.fullmatch(text[prev.end:entities[i].start]):
            attached.setdefault(i - 1, []).extend(entities[i:j])
    people: dict[str, Official] = {}
    for k, ent in enumerate(entities):
        if ent.label != "PER":
            continue
        person = people.setdefault(_key(ent.text), Official(name=ent.text))
        person.mentions.append(ent)
        known = {(o.start, o.end) for o in person.offices}
        for office in attached.get(k, []):
            if (office.start, office.end) not in known:
                person.offices.append(office)
                known.add((office.start, office.end))
    return list(people.values())
