import json

import numpy as np
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


def _tiny_pretrain_config(tmp_path, **overrides):
    seg = tmp_path / "segmented.jsonl"
    docs = [{"id": str(i), "sentences": [f"Bí_thư Tỉnh_ủy số {i} làm_việc với Huyện_ủy Thường_Tín ."]}
            for i in range(30)]
    seg.write_text("".join(json.dumps(d, ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    (tmp_path / "data").mkdir(exist_ok=True)
    conf = {"segmented": str(seg), "data_dir": str(tmp_path / "data"), "output_dir": str(tmp_path / "enc"),
            "vocab_size": 100,
            "model": {"hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2,
                      "intermediate_size": 32, "max_position_embeddings": 34},
            "train": {"max_length": 32, "batch_size": 4, "max_steps": 3, "save_every": 100, "log_every": 1,
                      "warmup_steps": 1}}
    for key, value in overrides.items():
        if isinstance(value, dict):
            conf[key] = {**conf[key], **value}
        else:
            conf[key] = value
    path = tmp_path / f"c{len(list(tmp_path.glob('c*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump(conf))
    return path


def test_continued_pretraining_starts_from_the_given_encoder_and_checks_its_shape(tmp_path):
    import pytest
    import torch
    from transformers import AutoModelForMaskedLM

    pretrain(["--config", str(_tiny_pretrain_config(tmp_path))])
    first = tmp_path / "enc"
    # learning rate 0: the continued encoder must hold exactly the weights it started from
    path = _tiny_pretrain_config(tmp_path, output_dir=str(tmp_path / "more"), init_from=str(first),
                                 train={"learning_rate": 0.0, "max_steps": 2})
    pretrain(["--config", str(path)])
    a = AutoModelForMaskedLM.from_pretrained(first).state_dict()
    b = AutoModelForMaskedLM.from_pretrained(tmp_path / "more").state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert (tmp_path / "more" / "tokenizer.json").read_text() == (first / "tokenizer.json").read_text()
    summary = json.loads((tmp_path / "more" / "pretrain_summary.json").read_text())
    assert summary["init_from"] == str(first) and summary["steps"] == 2

    wider = _tiny_pretrain_config(tmp_path, output_dir=str(tmp_path / "wider"), init_from=str(first),
                                  model={"hidden_size": 32})
    with pytest.raises(SystemExit, match="hidden_size is 16, the config says 32"):
        pretrain(["--config", str(wider)])


def test_token_file_is_rebuilt_when_stale_and_travels_without_the_corpus(tmp_path):
    path = _tiny_pretrain_config(tmp_path, tokens=str(tmp_path / "tokens.npz"))
    pretrain(["--config", str(path)])
    first = np.load(tmp_path / "tokens.npz")
    assert len(first["starts"]) == 31 and first["starts"][-1] == len(first["ids"])
    # an annotation of article 7 arrives: its sentence must leave the token file
    (tmp_path / "data" / "pretrain_exclude.txt").write_text("7\n")
    pretrain(["--config", str(path), "--output-dir", str(tmp_path / "enc2")])
    second = np.load(tmp_path / "tokens.npz")
    assert len(second["starts"]) == 30
    # on a machine without the corpus (a GPU machine continuing an encoder) the token file is used as it is
    (tmp_path / "segmented.jsonl").unlink()
    path = _tiny_pretrain_config(tmp_path, tokens=str(tmp_path / "tokens.npz"), init_from=str(tmp_path / "enc2"))
    pretrain(["--config", str(path), "--output-dir", str(tmp_path / "enc3")])
    assert json.loads((tmp_path / "enc3" / "pretrain_summary.json").read_text())["tokens_seen"] > 0


def test_fitted_step_count_decays_the_learning_rate_to_zero(tmp_path):
    path = _tiny_pretrain_config(tmp_path, train={"max_steps": 0, "max_minutes": 0.02, "probe_steps": 3,
                                                  "warmup_steps": 2})
    pretrain(["--config", str(path)])
    rows = [json.loads(l) for l in (tmp_path / "enc" / "pretrain_log.jsonl").read_text().splitlines()]
    summary = json.loads((tmp_path / "enc" / "pretrain_summary.json").read_text())
    planned = summary["config"]["train"]["max_steps"]
    assert planned > 8 and summary["steps"] <= planned
    if summary["steps"] == planned:  # a slow machine may stop at max_minutes first
        assert rows[-1]["lr"] == 0.0


def test_schedule_matches_transformers_linear_schedule():
    import torch
    from transformers import get_linear_schedule_with_warmup
    from training.pretrain import linear_schedule

    def lrs(make):
        opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        sched = make(opt)
        out = []
        for _ in range(12):
            out.append(sched.get_last_lr()[0])
            opt.step()
            sched.step()
        return out

    assert lrs(lambda o: linear_schedule(o, 3, {"steps": 10})) == lrs(lambda o: get_linear_schedule_with_warmup(o, 3, 10))
