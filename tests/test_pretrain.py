import json

import yaml

from training.pretrain import main as pretrain


def test_pretraining_runs_excludes_annotated_articles_and_resumes(tmp_path):
    seg = tmp_path / "segmented.jsonl"
    docs = [{"id": str(i), "sentences": [f"Bí_thư Thành_ủy số {i} làm_việc với Quận_ủy Liên_Chiểu .",
                                         "Chiều 12-6 , đoàn kiểm_tra đến huyện Thường_Tín ."]} for i in range(40)]
    docs.append({"id": "999", "sentences": ["bài_đã_gán_nhãn " * 5]})
    seg.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "pretrain_exclude.txt").write_text("999\n")
    out = tmp_path / "enc"
    conf = {"segmented": str(seg), "data_dir": str(data), "output_dir": str(out), "vocab_size": 120,
            "model": {"hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
                      "intermediate_size": 32, "max_position_embeddings": 34},
            "train": {"max_length": 32, "batch_size": 4, "max_steps": 4, "save_every": 1, "log_every": 1,
                      "warmup_steps": 1}}
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(conf))
    pretrain(["--config", str(path), "--max-steps", "2"])
    assert json.loads((out / "checkpoint" / "progress.json").read_text())["step"] == 2
    vocab = json.loads((out / "tokenizer.json").read_text())["model"]["vocab"]
    assert not any("bài_đã" in tok for tok in vocab)  # the excluded article never reached the tokenizer
    pretrain(["--config", str(path)])  # resumes at step 2 and runs to max_steps
    steps = [json.loads(l)["step"] for l in (out / "pretrain_log.jsonl").read_text().splitlines()]
    assert steps == [1, 2, 3, 4]
    summary = json.loads((out / "pretrain_summary.json").read_text())
    assert summary["steps"] == 4 and summary["tokens_seen"] > 0
    assert (out / "model.safetensors").exists() and (out / "config.json").exists()


def test_excluded_reads_gold_files_and_label_only_files(tmp_path):
    from training.corpus_text import excluded

    (tmp_path / "gold").mkdir()
    (tmp_path / "agreement").mkdir()
    gold_rec = {"id": "vn-101", "text": "Tiêu đề bài một\nNội dung.", "doc_label": "other", "source": "gold"}
    (tmp_path / "gold" / "a.jsonl").write_text(json.dumps(gold_rec, ensure_ascii=False) + "\n", encoding="utf-8")
    (tmp_path / "agreement" / "reading.jsonl").write_text(json.dumps({"id": "vn-202", "doc_label": "review"}) + "\n")
    ids, titles = excluded(tmp_path)
    assert ids == {"101", "202"} and titles == {"tiêu đề bài một"}
