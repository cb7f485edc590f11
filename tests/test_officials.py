from pathlib import Path

import pytest

from model.officials import find_officials
from model.result import Entity
from training import gold

SEEDS = {r["id"]: r for r in gold.load([Path(__file__).resolve().parents[1] / "data/gold/seeds.jsonl"])}


def officials_of(doc_id):
    rec = SEEDS[doc_id]
    text = rec["text"]
    ents = [Entity(text[e["start"]:e["end"]], e["label"], e["start"], e["end"], 1.0) for e in rec["entities"]]
    people = {o.name: o for o in find_officials(text, ents)}
    for o in people.values():
        for span in o.offices + o.mentions:
            assert span.text == text[span.start:span.end]
    return people


@pytest.mark.parametrize("doc_id,name,offices", [
    ("seed-000", "Nguyễn Văn Quảng", ["Ủy viên Trung ương Đảng", "Bí thư Thành ủy Đà Nẵng"]),
    ("seed-000", "Lương Nguyễn Minh Triết",
     ["Ủy viên Dự khuyết Trung ương Đảng", "Phó Bí thư Thường trực Thành ủy", "Chủ tịch HĐND thành phố"]),
    ("seed-001", "Võ Văn Thương", ["Trưởng Ban Tổ chức Thành ủy"]),
    ("seed-003", "Trần Lưu Quang", ["Ủy viên T.Ư Đảng", "Bí thư Thành ủy", "Trưởng Đoàn Đại biểu Quốc hội TP Hải Phòng"]),
    ("seed-003", "Trần Thắng Lợi", ["Bí thư Quận ủy Sơn Trà"]),
    ("seed-004", "Nguyễn Tiến Minh", ["Bí thư Huyện ủy Thường Tín"]),
])
def test_offices_chained_to_the_name_on_seed_articles(doc_id, name, offices):
    person = officials_of(doc_id)[name]
    titles = [o.text for o in person.offices]
    for office in offices:
        assert office in titles


def test_mentions_are_merged_and_bylines_have_no_office():
    people = officials_of("seed-000")
    assert len(people["Nguyễn Văn Quảng"].mentions) > 1
    assert people["CÔNG HẠNH"].offices == []
    # an office belongs to the person it precedes, not to the one before the "và"
    assert "Chủ tịch HĐND thành phố" not in [o.text for o in people["Nguyễn Văn Quảng"].offices]


def _ents(text, spans):
    out = []
    for surface, label in spans:
        i = text.index(surface, out[-1].end if out else 0)
        out.append(Entity(surface, label, i, i + len(surface), 1.0))
    return out


def test_appositive_office_after_the_name():
    text = "Ông Nguyễn Văn A, Chủ tịch UBND tỉnh, cho biết. Ông Trần B và Bí thư Tỉnh ủy Lê C họp."
    people = {o.name: o for o in find_officials(text, _ents(text, [
        ("Nguyễn Văn A", "PER"), ("Chủ tịch UBND tỉnh", "POS"), ("Trần B", "PER"),
        ("Bí thư Tỉnh ủy", "POS"), ("Lê C", "PER")]))}
    assert [o.text for o in people["Nguyễn Văn A"].offices] == ["Chủ tịch UBND tỉnh"]
    assert people["Trần B"].offices == []
    assert [o.text for o in people["Lê C"].offices] == ["Bí thư Tỉnh ủy"]
