import json
import subprocess
import sys

import pytest

from model.predict import main
from model.text import normalize

TEXT = "Chiều 12-6, Bí thư Thành ủy Đà Nẵng Nguyễn Văn Quảng làm việc với Quận ủy Liên Chiểu.\r\nSáng 13-6, đoàn về huyện Thường Tín."


@pytest.fixture()
def files(tmp_path):
    good = tmp_path / "good.txt"
    good.write_bytes(("\ufeff" + TEXT).encode("utf-8"))
    second = tmp_path / "sub" / "second.txt"
    second.parent.mkdir()
    second.write_text("Hà Nội, ngày 5-5-2017. Ông Nguyễn Văn A làm việc.", encoding="utf-8")
    return tmp_path, good, second


def _run(capsys, *args):
    code = main(list(map(str, args)))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_jsonl_offsets_index_the_file_bytes_as_read(files, capsys, bundle_dir):
    _, good, _ = files
    code, out, err = _run(capsys, good, "--model", bundle_dir, "--format", "jsonl")
    assert code == 0 and err == ""
    rec = json.loads(out)
    assert set(rec) == {"file", "doc_label", "doc_scores", "entities", "officials"}
    raw = open(good, encoding="utf-8", newline="").read()
    assert raw.startswith("\ufeff") and "\r\n" in raw
    assert rec["entities"]
    for e in rec["entities"]:
        assert raw[e["start"]:e["end"]] == e["text"]


def test_folder_and_json_keep_order(files, capsys, bundle_dir):
    folder, good, second = files
    code, out, _ = _run(capsys, folder, "--model", bundle_dir, "--format", "json")
    assert code == 0
    assert [r["file"] for r in json.loads(out)] == [str(good), str(second)]


def test_text_and_conll_formats(files, capsys, bundle_dir):
    _, good, _ = files
    code, out, _ = _run(capsys, good, "--model", bundle_dir)
    assert code == 0 and out.startswith(f"== {good}\narticle type: ")
    assert "entities: " in out
    code, out, _ = _run(capsys, good, "--model", bundle_dir, "--format", "conll")
    lines = [l for l in out.splitlines() if l and not l.startswith("#")]
    raw = open(good, encoding="utf-8", newline="").read()
    for line in lines:
        word, offsets, tag = line.split("\t")
        a, b = map(int, offsets.split("-"))
        assert word == "_".join(normalize(raw[a:b]).split())
        assert tag == "O" or tag[:2] in ("B-", "I-")
    assert out.startswith(f"# file = {good}\n# doc_label = ")


def test_bad_inputs_are_named_and_others_still_processed(files, capsys, bundle_dir, tmp_path):
    _, good, _ = files
    (tmp_path / "bin.txt").write_bytes(b"abc\x00\x01def")
    (tmp_path / "latin1.txt").write_bytes("Hà Nội".encode("cp1258", errors="replace") + b"\xe0\xff")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "nodocs").mkdir()
    code, out, err = _run(capsys, tmp_path / "bin.txt", tmp_path / "latin1.txt", tmp_path / "empty.txt",
                          tmp_path / "missing.txt", tmp_path / "nodocs", good,
                          "--model", bundle_dir, "--format", "jsonl")
    assert code == 1
    errors = err.strip().splitlines()
    assert len(errors) == 5
    expect = {"bin.txt": "binary file", "latin1.txt": "not UTF-8", "empty.txt": "empty file",
              "missing.txt": "no such file", "nodocs": "no .txt files"}
    for name, reason in expect.items():
        line = next(l for l in errors if name in l)
        assert line.startswith("error: ") and reason in line
    assert [json.loads(l)["file"] for l in out.splitlines()] == [str(good)]


def test_stdin_and_quiet_stderr_when_piped(bundle_dir):
    proc = subprocess.run([sys.executable, "-m", "model.predict", "-", "--model", str(bundle_dir), "--format", "jsonl"],
                          input=TEXT.encode("utf-8"), capture_output=True, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stderr == b""  # no progress bar or load noise when not on a terminal
    rec = json.loads(proc.stdout)
    assert rec["file"] == "<stdin>"
    for e in rec["entities"]:
        assert TEXT[e["start"]:e["end"]] == e["text"]


def test_bad_model_folder(files, capsys, tmp_path):
    _, good, _ = files
    code, _, err = _run(capsys, good, "--model", tmp_path / "nomodel")
    assert code == 1 and "cannot load model" in err
