//! The indicator library (指标库) at 100,000 dossiers (docs/benchmarks.md).
//!
//! The indicator rows of the seed and the published forms of ../shared/corpus (read with
//! the importer) are the vocabulary: their 三级 names, 一级/二级 and targets, and the
//! project names. Each synthetic dossier is a unit's year with 3–6 projects named after a
//! corpus project or with a place, an object and an action, each with 6–12 indicator rows: a
//! corpus name (now and then with a qualifier such as 项目/工程 in front, as filings write
//! them) or an object (+ action) + measure name, and a target around the corpus's value. About one dossier in ten
//! also brings a self-evaluation of one project with actuals.
//!
//! Measured:
//! 1. building the library in memory from the dossiers as they are generated (time, the
//!    process's peak resident memory before and after);
//! 2. with `--database`, the same sources written to the store (`library_sources`) and the
//!    library read back from it as `jixiao serve` does at start (time);
//! 3. `Library::suggest` and `Services::library_suggest` (with the lock and the query
//!    checks) for 20,000 queries of 1–4 characters taken from filed names, and `similar`
//!    for 2,000 project names: p50, p99 and the slowest.
//!
//! ```sh
//! cargo run --release --example library_bench -- --count 100000 --database /tmp/lib.db
//! ```

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use jixiao_domain::library::{Library, Mined, MinedProject, MinedRow};
use jixiao_domain::{Form, Profile};
use jixiao_files::import::import_path_with;
use jixiao_files::limits::Limits;
use jixiao_store::{hash_password, open, Actor, NewUser, Role, Store};
use jixiao_web::services::{Config, Services, User};

#[derive(Parser)]
struct Args {
    /// Dossiers to generate.
    #[arg(long, default_value_t = 100_000)]
    count: usize,
    /// Also write the sources to this store (SQLite path or postgres:// URL; the same
    /// source keys every run, so a second run replaces the first) and read the library
    /// back from it.
    #[arg(long)]
    database: Option<String>,
    /// Folder of filings for the vocabulary.
    #[arg(long, default_value = "../shared/corpus")]
    corpus: PathBuf,
}

/// A tiny deterministic generator (xorshift64*): the same library every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }
}

const PLACES: &[&str] = &[
    "石峰区",
    "荷塘区",
    "芦淞区",
    "天元区",
    "渌口区",
    "醴陵市",
    "攸县",
    "茶陵县",
    "炎陵县",
    "岳阳县",
    "临湘市",
    "汨罗市",
    "平江县",
    "华容县",
    "湘阴县",
    "君山区",
    "云溪区",
    "屈原区",
];
const OBJECTS: &[&str] = &[
    "农村公路",
    "校舍",
    "饮水工程",
    "种薯",
    "高标准农田",
    "森林防火",
    "困难群众",
    "村级组织",
    "退役军人",
    "卫生院",
    "养老服务",
    "河道",
    "污水处理",
    "垃圾转运",
    "文化站",
    "体育场馆",
    "安全生产",
    "食品抽检",
    "残疾人",
    "就业培训",
    "产业园",
    "电商服务",
    "乡村旅游",
    "水库",
    "堤防",
    "桥梁",
    "路灯",
    "公厕",
    "图书馆",
    "档案",
    "应急物资",
    "消防站",
    "气象站",
    "学校食堂",
    "营养餐",
    "助学金",
    "特岗教师",
    "医保",
    "疫苗",
    "妇幼保健",
    "家庭医生",
    "殡葬改革",
];
const MEASURES: &[(&str, &str, &str)] = &[
    ("产出指标", "质量指标", "验收合格率"),
    ("产出指标", "质量指标", "合格率"),
    ("产出指标", "数量指标", "覆盖率"),
    ("产出指标", "数量指标", "完成数量"),
    ("产出指标", "时效指标", "按期完成率"),
    ("产出指标", "时效指标", "资金拨付及时率"),
    ("产出指标", "成本指标", "单位成本"),
    ("效益指标", "社会效益指标", "受益人数"),
    ("效益指标", "社会效益指标", "知晓率"),
    ("效益指标", "可持续影响指标", "长效管护机制"),
    ("满意度指标", "服务对象满意度指标", "满意度"),
];
const ACTIONS: &[&str] = &[
    "维修", "新建", "改造", "培训", "巡查", "检测", "补贴", "发放", "监测", "整治", "管护", "保洁",
    "宣传", "救助", "慰问", "采购", "评估", "普查", "清淤", "加固", "绿化", "亮化", "配送", "抽检",
    "备案", "登记", "审查", "走访", "帮扶", "指导",
];
const PROJECT_SUFFIX: &[&str] = &[
    "建设项目",
    "维修经费",
    "补助资金",
    "专项资金",
    "运行维护费",
    "提质改造",
    "能力提升",
];
const QUALIFIERS: &[&str] = &["", "", "", "项目", "工程", "年度"];

/// A row of the vocabulary: 一级, 二级, name, target as written.
type Word = (String, String, String, String);

/// Rows and project names of the filings under `dir` (and the seed).
fn vocabulary(dir: &std::path::Path) -> (Vec<Word>, Vec<String>) {
    let profile = Profile::national();
    let limits = Limits::default();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.push(PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/seed-2023-shifeng-tongzhanbu.txt"
    )));
    files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
    let (mut words, mut projects) = (Vec::new(), Vec::new());
    for f in files {
        for form in import_path_with(&f, &profile, &limits, false).forms {
            if let Form::Project(p) = &form {
                if !p.name.trim().is_empty() {
                    projects.push(p.name.trim().to_string());
                }
            }
            for r in form.indicator_rows() {
                if r.name.trim().is_empty() || r.target.number.is_none() {
                    continue;
                }
                words.push((
                    r.level1.to_string(),
                    r.level2.to_string(),
                    r.name.trim().to_string(),
                    r.target.text.trim().to_string(),
                ));
            }
        }
    }
    (words, projects)
}

/// A target near `text` (its number scaled by 0.8–1.2, percentages kept ≤ 100).
fn vary(rng: &mut Rng, text: &str) -> String {
    let v = jixiao_domain::IndicatorValue::parse(text);
    let Some(n) = v.number else {
        return text.to_string();
    };
    let f = rust_decimal::Decimal::new(80 + rng.below(41) as i64, 2);
    let mut x = (n * f).round_dp(if n.scale() > 0 { 1 } else { 0 });
    if v.is_percent() && x > rust_decimal::Decimal::ONE_HUNDRED {
        x = rust_decimal::Decimal::ONE_HUNDRED;
    }
    format!(
        "{}{}{}",
        v.comparator.map(|c| c.symbol()).unwrap_or(""),
        x.normalize(),
        v.unit.unwrap_or_default()
    )
}

fn dossier(rng: &mut Rng, i: usize, words: &[Word], projects: &[String]) -> (Mined, Option<Mined>) {
    let unit = format!("{}第{}单位", rng.pick(PLACES), i % 4000);
    let year = 2019 + (i % 6) as u16;
    let mut ps = Vec::new();
    for _ in 0..3 + rng.below(4) {
        let object = *rng.pick(OBJECTS);
        let name = if rng.below(2) == 0 {
            format!(
                "{}{}{}{}",
                rng.pick(PLACES),
                object,
                rng.pick(ACTIONS),
                rng.pick(PROJECT_SUFFIX)
            )
        } else {
            format!("{}{}", rng.pick(projects), rng.pick(PROJECT_SUFFIX))
        };
        let rows = (0..6 + rng.below(7))
            .map(|_| {
                if rng.below(3) == 0 {
                    let (l1, l2, m) = *rng.pick(MEASURES);
                    let value = if m.ends_with('率') || m.ends_with("满意度") {
                        format!("≥{}%", 80 + rng.below(21))
                    } else if m == "长效管护机制" {
                        "长期有效".to_string()
                    } else {
                        format!("≥{}", 10 + rng.below(500))
                    };
                    // A long tail of names: the object, now and then an action, the measure.
                    let action = if rng.below(2) == 0 {
                        *rng.pick(ACTIONS)
                    } else {
                        ""
                    };
                    MinedRow {
                        level1: l1.into(),
                        level2: l2.into(),
                        name: format!("{object}{action}{m}"),
                        value,
                        ..MinedRow::default()
                    }
                } else {
                    let (l1, l2, n, v) = rng.pick(words);
                    MinedRow {
                        level1: l1.clone(),
                        level2: l2.clone(),
                        name: format!("{}{n}", rng.pick(QUALIFIERS)),
                        value: vary(rng, v),
                        standard: String::new(),
                        actual: None,
                    }
                }
            })
            .collect();
        ps.push(MinedProject {
            name,
            goals: String::new(),
            rows,
        });
    }
    let evaluation = i.is_multiple_of(10).then(|| {
        let p = &ps[0];
        Mined {
            unit: unit.clone(),
            year: Some(year),
            projects: vec![MinedProject {
                name: p.name.clone(),
                goals: String::new(),
                rows: p
                    .rows
                    .iter()
                    .map(|r| MinedRow {
                        actual: Some(vary(rng, &r.value).replace(['≥', '≤'], "")),
                        ..r.clone()
                    })
                    .collect(),
            }],
        }
    });
    (
        Mined {
            unit,
            year: Some(year),
            projects: ps,
        },
        evaluation,
    )
}

/// Peak resident memory of this process so far (VmHWM), in MiB.
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn percentiles(mut ms: Vec<f64>) -> String {
    ms.sort_by(f64::total_cmp);
    let at = |p: f64| ms[((ms.len() - 1) as f64 * p) as usize];
    format!(
        "p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms ({} calls)",
        at(0.5),
        at(0.99),
        ms[ms.len() - 1],
        ms.len()
    )
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (words, projects) = vocabulary(&args.corpus);
    anyhow::ensure!(
        !words.is_empty() && !projects.is_empty(),
        "no vocabulary under {}",
        args.corpus.display()
    );
    println!(
        "vocabulary: {} indicator rows and {} project names from {}",
        words.len(),
        projects.len(),
        args.corpus.display()
    );
    let profile = Profile::national();
    let before = peak_mib();
    let started = Instant::now();
    let mut lib = Library::new(&profile.library);
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut rows, mut sources) = (0usize, 0usize);
    for i in 0..args.count {
        let (m, e) = dossier(&mut rng, i, &words, &projects);
        rows += m.rows();
        lib.add(&m);
        sources += 1;
        if let Some(e) = e {
            lib.add(&e);
            sources += 1;
        }
    }
    lib.finish();
    let built = started.elapsed();
    println!(
        "in memory: {} dossiers ({sources} sources, {rows} target rows) → {} entries in {:.2} s; peak RSS {:.0} MiB before, {:.0} MiB after (library ≈ {:.0} MiB by its own count)",
        args.count,
        lib.len(),
        built.as_secs_f64(),
        before,
        peak_mib(),
        lib.approx_bytes() as f64 / 1048576.0
    );

    // Queries: 1–4 characters from filed names; similar: corpus-style project names.
    let mut qs = Vec::new();
    for _ in 0..20_000 {
        let (_, _, n, _) = rng.pick(&words);
        let chars: Vec<char> = n.chars().collect();
        let len = 1 + rng.below(4.min(chars.len()));
        let start = rng.below(chars.len() - len + 1);
        qs.push(chars[start..start + len].iter().collect::<String>());
    }
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64() * 1000.0
    };
    let ms: Vec<f64> = qs
        .iter()
        .map(|q| time(&mut || drop(std::hint::black_box(lib.suggest(q, 10)))))
        .collect();
    println!("Library::suggest: {}", percentiles(ms));
    let names: Vec<String> = (0..2_000)
        .map(|_| format!("{}{}", rng.pick(PLACES), rng.pick(&projects)))
        .collect();
    let ms: Vec<f64> = names
        .iter()
        .map(|n| time(&mut || drop(std::hint::black_box(lib.similar(n, &[], 12)))))
        .collect();
    println!("Library::similar: {}", percentiles(ms));

    let Some(db) = args.database else {
        return Ok(());
    };
    drop(lib);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let store = open(&db).await?;
        let t = Instant::now();
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for i in 0..args.count {
            let (m, e) = dossier(&mut rng, i, &words, &projects);
            store
                .library_put(&format!("file:bench/{i:06}#0"), m.year.map(i64::from), &serde_json::to_string(&m)?)
                .await?;
            if let Some(e) = e {
                store
                    .library_put(&format!("file:bench/{i:06}#1"), e.year.map(i64::from), &serde_json::to_string(&e)?)
                    .await?;
            }
        }
        println!("store ({}): {} sources written in {:.1} s", store.backend(), sources, t.elapsed().as_secs_f64());
        let services = Services::new(store.clone(), profile, Config::default());
        let t = Instant::now();
        let (_, stats) = services.build_library().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        println!(
            "store ({}): library read back in {:.1} s ({} sources, {} entries); peak RSS so far {:.0} MiB",
            store.backend(),
            t.elapsed().as_secs_f64(),
            stats.sources,
            stats.entries,
            peak_mib()
        );
        services.warm_library().await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let account = store
            .create_user(
                &NewUser {
                    username: &format!("library-bench-{}", std::process::id()),
                    password_hash: &hash_password("library-bench")?,
                    role: Role::Reviewer,
                    unit_id: None,
                },
                &Actor::system("library_bench"),
            )
            .await;
        let admin = User {
            account: match account {
                Ok(a) => a,
                Err(e) => anyhow::bail!("{e}"),
            },
            address: None,
        };
        let mut ms = Vec::new();
        for q in &qs {
            let t = Instant::now();
            std::hint::black_box(services.library_suggest(&admin, q).await.map_err(|e| anyhow::anyhow!("{e}"))?);
            ms.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        println!("Services::library_suggest: {}", percentiles(ms));
        store.close().await;
        anyhow::Ok(())
    })
}
