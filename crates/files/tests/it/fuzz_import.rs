//! Property tests of the whole import + check pipeline on hostile and mangled text: it never
//! panics, whatever the layout, and always answers with forms or a Chinese error.

use std::path::Path;

use proptest::prelude::*;

use jixiao_domain::model::Dossier;
use jixiao_domain::{rules, Profile};
use jixiao_files::import::{import_bytes, Status};
use jixiao_files::limits::Limits;

fn seed_lines() -> Vec<String> {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples/seed-2023-shifeng-tongzhanbu.txt"),
    )
    .unwrap()
    .split('\n')
    .map(str::to_string)
    .collect()
}

/// Import and check; returns whether the file was read.
fn pipeline(bytes: &[u8]) -> bool {
    let profile = Profile::national();
    let f = import_bytes("fuzz.txt", bytes, &profile, &Limits::default());
    match f.status {
        Status::Ok => {
            let _ = rules::check_all(&Dossier::group(f.filed_forms()), &profile);
            true
        }
        Status::Error => {
            let msg = f.error.unwrap_or_default();
            assert!(
                msg.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                "error not in Chinese: {msg}"
            );
            false
        }
    }
}

const VOCAB: &[&str] = &[
    "2023年部门整体支出绩效目标表",
    "2023年区级专项资金绩效目标汇总表",
    "项目支出绩效目标申报表",
    "绩效自评表",
    "一级指标",
    "二级指标",
    "三级指标",
    "指标值及单位",
    "指标性质",
    "指标值",
    "度量单位",
    "绩效标准",
    "产出指标",
    "效益指标",
    "满意度指标",
    "数量指标",
    "成本指标",
    "服务对象满意度指标",
    "资金总额：",
    "185.91",
    "≤37万元",
    "≥95%",
    "﹦",
    "合  计",
    "序号",
    "名称",
    "金额",
    "一",
    "1",
    "支出内容简介",
    "支出明细",
    "支出测算依据及过程说明",
    "5个*5000元/个=2.5万元",
    "合计12万",
    "所属专项",
    "项目金额",
    "填报单位：",
    "单位负责人签字：",
    "金额单位：元",
    "1,740,000.00",
    "(qū)",
    "區",
    "及时",
    "无",
    "",
    " ",
    "|",
    "||||",
    "\t",
    "99999999999999999999999",
    "0.0000001",
    "-5",
    "=",
    "((((",
    "年度绩效指标",
    "项目名称",
    "预算数",
    "权重",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text_never_panics(s in ".{0,400}") {
        pipeline(s.as_bytes());
    }

    #[test]
    fn form_vocabulary_soup_never_panics(
        tokens in proptest::collection::vec((0..VOCAB.len(), 0..5usize), 0..200)
    ) {
        let mut text = String::new();
        for (t, sep) in tokens {
            text.push_str(VOCAB[t]);
            text.push_str(["\t", "\n", " |\n", "\n\n", " | "][sep]);
        }
        pipeline(text.as_bytes());
    }

    #[test]
    fn mangled_seed_never_panics(
        edits in proptest::collection::vec((0..480usize, 0..4u8, 0..VOCAB.len()), 1..30)
    ) {
        let mut lines = seed_lines();
        for (at, op, t) in edits {
            if lines.is_empty() {
                break;
            }
            let i = at % lines.len();
            match op {
                0 => { lines.remove(i); }
                1 => { let l = lines[i].clone(); lines.insert(i, l); }
                2 => lines[i] = format!("\t{}", VOCAB[t]),
                _ => {
                    let j = (i * 7 + 3) % lines.len();
                    lines.swap(i, j);
                }
            }
        }
        pipeline(lines.join("\n").as_bytes());
    }
}

#[test]
fn the_seed_still_reads_after_deleting_any_single_line() {
    let lines = seed_lines();
    for i in 0..lines.len() {
        let mut l = lines.clone();
        l.remove(i);
        assert!(
            pipeline(l.join("\n").as_bytes()),
            "deleting line {} broke the import",
            i + 1
        );
    }
}

/// Crasher found by `form_vocabulary_soup_never_panics`: a 23-digit amount overflowed the
/// conversion to 分 inside the rules. Kept as a regression test.
#[test]
fn absurd_amounts_do_not_overflow() {
    let text = seed_lines().join("\n");
    for huge in [
        "99999999999999999999999",
        "79228162514264337593543950335",
        "0.0000000000000000000000001",
    ] {
        let t = text
            .replacen("≤37万元", &format!("≤{huge}万元"), 1)
            .replacen("资金总额：185.91", &format!("资金总额：{huge}"), 1);
        assert!(pipeline(t.as_bytes()));
    }
}
