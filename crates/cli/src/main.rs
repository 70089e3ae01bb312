//! `jixiao`: import, check and explain budget performance target forms.

mod admin;
mod batch;
mod config;
mod export;
mod library;
mod report;
mod score;
mod serve;

use std::io::{StdoutLock, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;

use jixiao_domain::calc;
use jixiao_domain::{Money, MoneyUnit, Profile};

#[derive(Parser)]
#[command(
    name = "jixiao",
    version,
    about = "预算绩效目标表的导入、审核与导出（jixiao）"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum, PartialEq, Eq)]
enum Format {
    Text,
    Json,
    Xlsx,
}

#[derive(Subcommand)]
enum Command {
    /// 导入文件并输出识别出的表（text 或 json）
    Import {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// 逐格说明：每个单元格读入了哪个字段，哪些内容未能识别及原因
        #[arg(long)]
        explain: bool,
        /// 配置方案（national、hunan-zhuzhou 或 TOML 文件路径）
        #[arg(long, default_value = "national")]
        profile: String,
        /// 配置文件（TOML，[limits] 等，见 docs/limits.md）
        #[arg(long, env = "JIXIAO_CONFIG")]
        config: Option<PathBuf>,
        /// 文件或文件夹（递归）
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// 审核：导入并按规则检查，输出审核意见（text、json 或 xlsx）
    Check {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// 输出文件（xlsx 必须指定；其他格式默认输出到屏幕）
        #[arg(long)]
        output: Option<PathBuf>,
        #[arg(long, default_value = "national")]
        profile: String,
        /// 配置文件（TOML，[limits] 等，见 docs/limits.md）
        #[arg(long, env = "JIXIAO_CONFIG")]
        config: Option<PathBuf>,
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// 自评表得分复核（每项指标的表中得分与按规则计算的得分、总分、等级）和监控表预警灯
    Score {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        #[arg(long, default_value = "national")]
        profile: String,
        /// 自评表或监控表文件
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// 核算一段测算依据文字中的算式
    Calc {
        /// 该行的金额，如 12万元、40000元（不写单位按万元）
        #[arg(long)]
        amount: Option<String>,
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        text: String,
    },
    /// 按官方表样导出（xlsx、docx、pdf、html 打印版）或导出公开数据（json、csv）
    ///
    /// 来源三选一：文件路径、--dossier 编号、--unit 与 --year。
    /// pdf 由无界面 Chromium 打印 html 打印版生成（需安装 chromium，或用 JIXIAO_CHROMIUM 指定）。
    Export {
        /// 导出格式：xlsx、docx、pdf、html（打印版网页）、json、csv
        #[arg(long, value_enum)]
        format: export::Kind,
        #[arg(long, default_value = "national")]
        profile: String,
        /// 输出文件（不指定则输出到标准输出；xlsx、docx、pdf 不能输出到终端）
        #[arg(long)]
        output: Option<PathBuf>,
        /// 要导出的文件（.txt、.docx、.xlsx、.xls、.html）
        path: Option<PathBuf>,
        /// 已保存档案的编号（导出其当前版本）
        #[arg(long)]
        dossier: Option<i64>,
        /// 单位名称（与 --year 一起指定档案）
        #[arg(long)]
        unit: Option<String>,
        #[arg(long)]
        year: Option<i64>,
        #[command(flatten)]
        db: admin::DbArgs,
    },
    /// 列出全部审核规则
    Rules {
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
    },
    /// 启动服务（网页和 JSON 接口）；--demo 导入示例单位、用户和档案
    Serve {
        /// SQLite 文件路径、sqlite:// 或 postgres:// 地址（默认 jixiao.db，须先用 jixiao init 新建；--demo 时默认新建临时文件）
        #[arg(long, env = "JIXIAO_DATABASE")]
        database: Option<String>,
        /// 用户访问本服务的地址（如 https://jixiao.example.gov.cn）：登录须来自该地址；https 时 Cookie 加 Secure 并发送 HSTS
        #[arg(long, env = "JIXIAO_PUBLIC_URL")]
        public_url: Option<String>,
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: std::net::SocketAddr,
        /// 新建演示单位、填报用户和审核用户（打印密码），并导入示例档案
        #[arg(long)]
        demo: bool,
        /// 以 JSON 格式输出日志
        #[arg(long)]
        json_logs: bool,
        /// 配置文件（TOML：[limits]、[quotas]、[server]，见 docs/limits.md）
        #[arg(long, env = "JIXIAO_CONFIG")]
        config: Option<PathBuf>,
    },
    /// 新建数据库（SQLite 文件）或把已有数据库的表结构升级到最新
    Init {
        #[command(flatten)]
        db: admin::DbArgs,
    },
    /// 管理预算单位
    Unit {
        #[command(subcommand)]
        cmd: admin::UnitCmd,
        #[command(flatten)]
        db: admin::DbArgs,
    },
    /// 管理用户
    User {
        #[command(subcommand)]
        cmd: admin::UserCmd,
        #[command(flatten)]
        db: admin::DbArgs,
    },
    /// 指定审核人负责的单位
    Assign {
        /// 审核人用户名
        reviewer: String,
        /// 单位名称
        unit: String,
        #[command(flatten)]
        db: admin::DbArgs,
    },
    /// 取消审核人对单位的审核
    Unassign {
        /// 审核人用户名
        reviewer: String,
        /// 单位名称
        unit: String,
        #[command(flatten)]
        db: admin::DbArgs,
    },
    /// 在线备份 SQLite 数据库（PostgreSQL 请用 pg_dump）
    Backup {
        file: PathBuf,
        #[command(flatten)]
        db: admin::DbArgs,
    },
    /// 用备份替换 SQLite 数据库（原文件保留；服务运行时拒绝执行）
    Restore {
        file: PathBuf,
        #[command(flatten)]
        db: admin::DbArgs,
    },
    /// 指标库：从已审核通过的档案和填报文件建立，导出为 .xlsx
    Library {
        #[command(subcommand)]
        cmd: library::LibraryCmd,
        #[arg(long, default_value = "national", global = true)]
        profile: String,
        #[command(flatten)]
        db: admin::DbArgs,
    },
    /// 审计日志
    Audit {
        #[command(subcommand)]
        cmd: admin::AuditCmd,
        #[command(flatten)]
        db: admin::DbArgs,
    },
}

fn load_profile(name: &str) -> anyhow::Result<Profile> {
    if name.ends_with(".toml") {
        let src = std::fs::read_to_string(name)
            .with_context(|| format!("无法读取配置方案文件 {name}"))?;
        return Ok(Profile::from_toml(&src)?);
    }
    Ok(Profile::builtin(name)?)
}

/// Print `value` to stdout as pretty JSON (`--format json`), else as text by `text`.
fn print_as<T: Serialize + ?Sized>(
    format: Format,
    value: &T,
    text: impl FnOnce(&mut StdoutLock<'static>) -> std::io::Result<()>,
) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if format == Format::Json {
        serde_json::to_writer_pretty(&mut out, value)?;
        writeln!(out)?;
    } else {
        text(&mut out)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("错误：{e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Import {
            format,
            explain,
            profile,
            config,
            paths,
        } => {
            let profile = load_profile(&profile)?;
            let limits = config::load(config.as_deref())?.limits;
            if format == Format::Xlsx {
                anyhow::bail!("import 只支持 --format text 或 json");
            }
            batch::run(
                &paths,
                &profile,
                &limits,
                if explain {
                    batch::Mode::Explain
                } else {
                    batch::Mode::Import
                },
                format == Format::Json,
                None,
            )
        }
        Command::Check {
            format,
            output,
            profile,
            config,
            paths,
        } => {
            let profile = load_profile(&profile)?;
            let limits = config::load(config.as_deref())?.limits;
            let (mode, output) = match format {
                Format::Xlsx => {
                    let out = output.context("--format xlsx 需要用 --output 指定输出文件")?;
                    (batch::Mode::CheckXlsx(out), None)
                }
                _ => (batch::Mode::Check, output),
            };
            batch::run(
                &paths,
                &profile,
                &limits,
                mode,
                format == Format::Json,
                output,
            )
        }
        Command::Score {
            format,
            profile,
            paths,
        } => {
            if format == Format::Xlsx {
                anyhow::bail!("score 只支持 --format text 或 json");
            }
            let profile = load_profile(&profile)?;
            let files = score::score_files(&paths, &profile);
            let failed = files.iter().any(|f| f.error.is_some());
            print_as(format, &files, |out| score::write_scores(out, &files))?;
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Calc {
            amount,
            format,
            text,
        } => {
            let amount = match amount {
                Some(a) => Some(
                    Money::parse(&a, MoneyUnit::Wan)
                        .map_err(|e| anyhow::anyhow!("金额 {a}：{e}"))?,
                ),
                None => None,
            };
            let report = calc::analyze(&text, amount);
            print_as(format, &report, |out| report::write_calc(out, &report))
        }
        Command::Export {
            format,
            profile,
            output,
            path,
            dossier,
            unit,
            year,
            db,
        } => export::run(
            format,
            &load_profile(&profile)?,
            export::Source {
                path,
                dossier,
                unit,
                year,
            },
            &db,
            output.as_deref(),
        ),
        Command::Rules { format } => {
            let catalogue = jixiao_domain::rules::catalogue();
            print_as(format, catalogue, |out| {
                for r in catalogue {
                    writeln!(out, "{:<22} {:<4} {}", r.id, r.severity.label(), r.title)?;
                    writeln!(out, "    依据：{}", r.source)?;
                    writeln!(out, "    示例：{}", r.example)?;
                }
                Ok(())
            })
        }
        Command::Serve {
            database,
            public_url,
            bind,
            demo,
            json_logs,
            config,
        } => serve::run(serve::ServeArgs {
            database,
            public_url,
            bind,
            demo,
            json_logs,
            config: config::load(config.as_deref())?,
        }),
        Command::Init { db } => admin::init(&db),
        Command::Unit { cmd, db } => admin::unit(&db, cmd),
        Command::User { cmd, db } => admin::user(&db, cmd),
        Command::Assign { reviewer, unit, db } => admin::assign(&db, &reviewer, &unit),
        Command::Unassign { reviewer, unit, db } => admin::unassign(&db, &reviewer, &unit),
        Command::Backup { file, db } => admin::backup(&db, &file),
        Command::Restore { file, db } => admin::restore(&db, &file),
        Command::Audit { cmd, db } => admin::audit(&db, cmd),
        Command::Library { cmd, profile, db } => library::run(&db, load_profile(&profile)?, cmd),
    }
}
