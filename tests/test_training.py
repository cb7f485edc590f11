import json

import pytest
import yaml

import model
from training import config as cfg
from training import convert, gold
from training.train import TrainConfig, train

SENTENCES = [
    ("Chiều 12-6, Bí thư Thành ủy Nguyễn Văn Quảng làm việc với Quận ủy Liên Chiểu.", "inspection",
     [("Chiều 12-6", "DATE"), ("Bí thư Thành ủy", "POS"), ("Nguyễn Văn Quảng", "PER"), ("Quận ủy Liên Chiểu", "ORG")]),
    ("Quận ủy Kiến An tổ chức sơ kết Nghị quyết Trung ương 4 năm 2019.", "review",
     [("Quận ủy Kiến An", "ORG"), ("Nghị quyết Trung ương 4", "DOC"), ("năm 2019", "DATE")]),
    ("Chủ tịch UBND TP Hà Nội yêu cầu thực hiện Chỉ thị 05 tại huyện Thường Tín.", "directive",
     [("Chủ tịch UBND TP Hà Nội", "POS"), ("Chỉ thị 05", "DOC"), ("huyện Thường Tín", "LOC")]),
    ("Đại hội lần thứ XXII Đảng bộ thành phố khai mạc tại Đà Nẵng.", "other",
     [("Đại hội lần thứ XXII Đảng bộ thành phố", "EVENT"), ("Đà Nẵng", "LOC")]),
]


def _records(prefix):
    out = []
    for k, (text, label, spans) in enumerate(SENTENCES):
        ents, pos = [], 0
        for surface, lab in spans:
            i = text.index(surface, pos)
            ents.append({"start": i, "end": i + len(surface), "label": lab})
            pos = i + len(surface)
        out.append({"id": f"{prefix}{k}", "text": text, "doc_label": label, "entities": ents, "source": "gold"})
    return out


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    d = tmp_path_factory.mktemp("data")
    gold.write_jsonl(_records("tr"), d / "train.jsonl")
    gold.write_jsonl(_records("dv"), d / "dev.jsonl")
    # the same documents as a Label Studio export: retraining reads it directly
    (d / "train_ls.json").write_text(json.dumps(convert.to_labelstudio(_records("ls")), ensure_ascii=False))
    return d


def _config(tmp_path, data, encoder, task="ner", name="out", files=("train.jsonl",)):
    return cfg.from_dict(TrainConfig, {
        "task": task, "encoder": str(encoder), "output_dir": str(tmp_path / name), "epochs": 2,
        "batch_size": 4, "max_length": 24, "stride": 6, "learning_rate": 0.001, "seed": 7, "report_test": False,
        "data": {"files": [str(data / f) for f in files], "split_file": None, "dev_files": [str(data / "dev.jsonl")]}})


def test_unknown_and_bad_keys_are_named(tmp_path):
    base = {"task": "ner", "output_dir": "x", "data": {"files": ["a"]}}
    with pytest.raises(cfg.ConfigError, match="unknown key learning_rat"):
        cfg.from_dict(TrainConfig, {**base, "learning_rat": 1})
    with pytest.raises(cfg.ConfigError, match="unknown key data.split"):
        cfg.from_dict(TrainConfig, {**base, "data": {"files": ["a"], "split": "x"}})
    with pytest.raises(cfg.ConfigError, match="epochs: expected float"):
        cfg.from_dict(TrainConfig, {**base, "epochs": "many"})
    with pytest.raises(cfg.ConfigError, match="task"):
        cfg.from_dict(TrainConfig, {**base, "task": "pos-tagging"})
    with pytest.raises(cfg.ConfigError, match="class_weight"):
        cfg.from_dict(TrainConfig, {**base, "class_weight": "inverse"})
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump({**base, "batch_size": 2.5}))
    with pytest.raises(cfg.ConfigError, match=r"c.yaml: batch_size: expected int"):
        cfg.load(TrainConfig, path)


def test_shipped_configs_load():
    from pathlib import Path
    paths = [p for p in sorted(Path(__file__).resolve().parents[1].glob("configs/*.yaml"))
             if not p.name.startswith("pretrain")]
    tasks = sorted(cfg.load(TrainConfig, p).task for p in paths)
    assert tasks == ["classifier", "classifier", "ner", "ner"]  # default encoder and PhoBERT, each task


@pytest.mark.parametrize("encoder", ["fast_encoder_dir", "slow_encoder_dir"])
def test_ner_training_writes_a_loadable_scored_model(tmp_path, data, encoder, request):
    conf = _config(tmp_path, data, request.getfixturevalue(encoder))
    report = train(conf)
    out = tmp_path / "out"
    saved = json.loads((out / "config.json").read_text())
    assert saved["id2label"]["0"] == "O" and "B-PER" in saved["label2id"]
    assert (out / "model.safetensors").exists() and not (out / "checkpoints").exists()
    on_disk = json.loads((out / "eval_report.json").read_text())
    assert on_disk["dev"]["entities"]["micro avg"] == report["dev"]["entities"]["micro avg"]
    assert set(on_disk["data"]["files"]) == {str(data / "train.jsonl"), str(data / "dev.jsonl")}
    assert all(len(h) == 64 for h in on_disk["data"]["files"].values())
    assert on_disk["package_version"] == model.__version__
    for label in ("PER", "POS", "ORG", "LOC", "DOC", "EVENT", "DATE"):
        assert set(on_disk["dev"]["entities"][label]) == {"precision", "recall", "f1", "support"}
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "ner").symlink_to(out)
    res = model.load(bundle, device="cpu")(SENTENCES[0][0])
    assert res.doc_label is None and res.doc_scores == {}


def test_evaluate_command_rescores_a_saved_model(tmp_path, data, fast_encoder_dir, capsys):
    from training import evaluate

    conf = _config(tmp_path, data, fast_encoder_dir)
    report = train(conf)
    path = tmp_path / "ner.yaml"
    path.write_text(yaml.safe_dump(cfg.as_dict(conf)))
    capsys.readouterr()  # drop the training log
    evaluate.main([str(path), str(tmp_path / "out"), "--split", "dev"])
    assert json.loads(capsys.readouterr().out) == report["dev"]  # the report's dev entry, recomputed
    evaluate.main([str(path), str(tmp_path / "out"), "--split", "dev", "--decode", "argmax"])
    argmax = json.loads(capsys.readouterr().out)
    assert argmax["documents"] == 4 and set(argmax["entities"]) >= {"PER", "micro avg"}
    with pytest.raises(SystemExit, match="no test documents"):
        evaluate.main([str(path), str(tmp_path / "out"), "--split", "test"])


def test_same_config_gives_the_same_scores(tmp_path, data, fast_encoder_dir):
    a = train(_config(tmp_path, data, fast_encoder_dir, name="a"))
    b = train(_config(tmp_path, data, fast_encoder_dir, name="b"))
    assert a["dev"] == b["dev"]
    assert [r.get("loss") for r in a["log"]] == [r.get("loss") for r in b["log"]]


def test_classifier_from_labelstudio_export(tmp_path, data, fast_encoder_dir):
    conf = _config(tmp_path, data, fast_encoder_dir, task="classifier", files=("train_ls.json",))
    report = train(conf)
    dev = report["dev"]
    assert dev["documents"] == 4
    matrix = dev["confusion_matrix"]["rows_gold_cols_pred"]
    assert sum(map(sum, matrix)) == 4 and [sum(r) for r in matrix] == [1, 1, 1, 1]
    assert report["calibration_temperature"] > 0
    saved = json.loads((tmp_path / "out" / "config.json").read_text())
    assert saved["calibration_temperature"] == report["calibration_temperature"]
    assert saved["id2label"] == {str(i): l for i, l in enumerate(["inspection", "review", "directive", "other"])}


def test_balanced_weights_equalise_the_labels_share_of_the_loss():
    from training.train import balanced_weights

    labels = [0] * 6 + [1] * 3 + [2] * 1  # label 3 absent
    w = balanced_weights(labels, 4)
    counts = [6, 3, 1]
    shares = [float(w[k]) * counts[k] for k in range(3)]
    assert shares == pytest.approx([shares[0]] * 3)  # each present label weighs the same in total
    assert float(w[2]) > float(w[1]) > float(w[0])


def test_weighted_classifier_trains_and_differs_from_unweighted(tmp_path, data, fast_encoder_dir):
    imbalanced = tmp_path / "imb.jsonl"
    other = next(r for r in _records("a") if r["doc_label"] == "other")
    recs = _records("a") + [dict(other, id=f"o{j}") for j in range(5)]  # other: 6 of 9 documents
    gold.write_jsonl(recs, imbalanced)
    base = cfg.as_dict(_config(tmp_path, data, fast_encoder_dir, task="classifier"))
    base["data"]["files"] = [str(imbalanced)]
    plain = train(cfg.from_dict(TrainConfig, {**base, "output_dir": str(tmp_path / "p")}))
    weighted = train(cfg.from_dict(TrainConfig, {**base, "output_dir": str(tmp_path / "w"), "class_weight": "balanced"}))
    losses = lambda r: [x["loss"] for x in r["log"] if "loss" in x]  # noqa: E731
    assert losses(plain) != losses(weighted)
