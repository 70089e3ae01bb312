//! Import errors. Each message is Chinese and says what the user can do; internal causes
//! (library error text) are kept short and never include memory addresses or stack traces.

use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ImportError {
    #[error("文件为空")]
    Empty,
    #[error("文件过大（{size} 字节），单个文件上限为 {limit} 字节")]
    TooLarge { size: u64, limit: u64 },
    #[error("无法读取文件：{0}")]
    Io(String),
    #[error("文件损坏或不完整（压缩包无法打开：{0}），请重新保存后再导入")]
    CorruptArchive(String),
    #[error("文件解压后内容过大或压缩比异常（{0}），疑似压缩炸弹，已拒绝导入")]
    ZipBomb(String),
    #[error("文件已加密（受密码保护），请在 Word/WPS/Excel 中取消密码后再导入")]
    Encrypted,
    #[error("文件内部 XML 结构异常：{0}")]
    BadXml(String),
    #[error("Excel 表格无法读取：{0}")]
    Spreadsheet(String),
    #[error("旧版 Word（.doc）格式暂不支持，请在 Word/WPS 中另存为 .docx 后导入")]
    LegacyDoc,
    #[error("不支持的文件格式：{0}。可导入的格式：.docx、.xlsx、.xls、.txt、.html")]
    Unsupported(String),
    #[error("无法识别文本编码（既不是 UTF-8 也不是 GB18030/GBK）")]
    Encoding,
    #[error("文件中没有找到绩效目标表（未识别到“绩效目标表”“汇总表”等表头），请确认文件内容")]
    NotAForm,
    #[error("这是绩效自评表（{0}），当前版本只支持绩效目标表，自评表将在后续版本支持")]
    SelfEvaluation(String),
    #[error("这是绩效运行监控表（{0}），当前版本只支持绩效目标表，监控表将在后续版本支持")]
    Monitoring(String),
    #[error("文件内容超出处理上限（{0}）")]
    Oversized(String),
}
